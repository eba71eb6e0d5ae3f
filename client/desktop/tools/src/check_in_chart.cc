#include "attune/desktop/tools/check_in_chart.h"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QLegend>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "attune/desktop/tools/severity_bands.h"
#include "attune/desktop/tools/ui_text.h"

namespace attune::desktop::tools {
namespace {

constexpr qint64 kDayMs = 24LL * 3600 * 1000;

qreal MsOf(const client::CheckInRecord& r) {
  return static_cast<qreal>(QDateTime::fromSecsSinceEpoch(r.filled_at).toMSecsSinceEpoch());
}

// [first, last] check-in time, widened to at least a day so one point shows.
std::pair<qreal, qreal> TimeRange(const std::vector<client::CheckInRecord>& records) {
  if (records.empty()) {
    const auto now = static_cast<qreal>(QDateTime::currentMSecsSinceEpoch());
    return {now - (7 * kDayMs), now};
  }
  qreal lo = MsOf(records.front());
  qreal hi = MsOf(records.back());
  if (hi - lo < kDayMs) {
    lo -= kDayMs / 2.0;
    hi += kDayMs / 2.0;
  }
  return {lo, hi};
}

// The theme picks series colours that suit the background; the palette
// supplies background, text and font so the chart matches the window.
void Style(QChart* chart, const QWidget& owner) {
  const QPalette& p = owner.palette();
  chart->setTheme(IsDark(owner) ? QChart::ChartThemeDark : QChart::ChartThemeLight);
  chart->setBackgroundBrush(p.brush(QPalette::Base));
  chart->setBackgroundRoundness(0);
  chart->legend()->setAlignment(Qt::AlignBottom);
  // The plot gets the room: Qt's default margins are a fifth of a small
  // chart's height.
  const int margin = owner.fontMetrics().height() / 2;
  chart->setMargins(QMargins(margin, 0, margin, 0));
  chart->layout()->setContentsMargins(0, 0, 0, 0);
}

// After every series and axis is added (adding applies the theme again):
// text in the palette's colour and the system font.
void ApplyPalette(QChart* chart, const QWidget& owner) {
  const QBrush text = owner.palette().brush(QPalette::Text);
  chart->setTitleBrush(text);
  chart->setTitleFont(owner.font());
  chart->legend()->setLabelBrush(text);
  chart->legend()->setFont(owner.font());
  for (QAbstractAxis* axis : chart->axes()) {
    axis->setLabelsBrush(text);
    axis->setLabelsFont(owner.font());
    axis->setTitleBrush(text);
    axis->setTitleFont(owner.font());
  }
}

QDateTimeAxis* TimeAxis(QChart* chart, const std::vector<client::CheckInRecord>& records) {
  auto* axis = new QDateTimeAxis(chart);
  const auto [lo, hi] = TimeRange(records);
  // Within a few days, ticks fall within one day: show the time too.
  axis->setFormat(hi - lo <= 4 * kDayMs ? QStringLiteral("d MMM HH:mm") : QStringLiteral("d MMM"));
  axis->setTickCount(2);  // FitTicks() sets it to the plot's width
  axis->setRange(QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(lo)),
                 QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(hi)));
  chart->addAxis(axis, Qt::AlignBottom);
  return axis;
}

void Attach(QChart* chart, QAbstractSeries* series, QAbstractAxis* x, QAbstractAxis* y) {
  chart->addSeries(series);
  series->attachAxis(x);
  series->attachAxis(y);
}

void BuildScoreChart(QChart* chart, therapy::InstrumentId id,
                     const std::vector<client::CheckInRecord>& records, const QWidget& owner) {
  const therapy::InstrumentSpec& spec = therapy::GetInstrument(id);
  chart->setTitle(QObject::tr("%1 total").arg(ToQ(spec.short_name)));
  Style(chart, owner);
  QDateTimeAxis* x = TimeAxis(chart, records);
  // The score axis names the bands (centred on each) instead of a legend.
  const std::vector<BandArea> bands = BandAreas(id);
  auto* y = new QCategoryAxis(chart);
  y->setRange(0, spec.max_total());
  y->setLabelsPosition(QCategoryAxis::AxisLabelsPositionCenter);
  for (const BandArea& band : bands) {
    y->append(QStringLiteral("%1 %2–%3").arg(band.label).arg(band.min_total).arg(band.max_total),
              band.upper);
  }
  chart->addAxis(y, Qt::AlignLeft);
  chart->legend()->setVisible(false);

  const auto [lo, hi] = TimeRange(records);
  const bool dark = IsDark(owner);
  for (size_t i = 0; i < bands.size(); ++i) {
    auto* upper = new QLineSeries(chart);
    auto* lower = new QLineSeries(chart);
    upper->append(lo, bands[i].upper);
    upper->append(hi, bands[i].upper);
    lower->append(lo, bands[i].lower);
    lower->append(hi, bands[i].lower);
    auto* area = new QAreaSeries(upper, lower);
    area->setName(QStringLiteral("%1 (%2–%3)")
                      .arg(bands[i].label)
                      .arg(bands[i].min_total)
                      .arg(bands[i].max_total));
    Attach(chart, area, x, y);
    // After addSeries: the theme would otherwise repaint it.
    area->setBrush(BandTint(i, bands.size(), dark));
    area->setPen(Qt::NoPen);
  }

  auto* totals = new QLineSeries(chart);
  totals->setName(QObject::tr("%1 total").arg(ToQ(spec.short_name)));
  totals->setPointsVisible(true);
  for (const client::CheckInRecord& r : records) {
    if (const therapy::Score* s = r.Find(id)) totals->append(MsOf(r), s->total);
  }
  Attach(chart, totals, x, y);
  QPen pen = totals->pen();
  pen.setWidthF(2.5);
  pen.setColor(owner.palette().color(QPalette::Text));
  totals->setPen(pen);
  ApplyPalette(chart, owner);
}

void BuildDailyChart(QChart* chart, const std::vector<client::CheckInRecord>& records,
                     const QWidget& owner) {
  chart->setTitle(QObject::tr("Mood and anxiety (0–10), sleep (hours)"));
  Style(chart, owner);
  QDateTimeAxis* x = TimeAxis(chart, records);
  auto* scale = new QValueAxis(chart);
  scale->setRange(0, 10);
  scale->setLabelFormat(QStringLiteral("%d"));
  chart->addAxis(scale, Qt::AlignLeft);
  auto* hours = new QValueAxis(chart);
  hours->setRange(0, 12);
  hours->setLabelFormat(QStringLiteral("%d h"));
  chart->addAxis(hours, Qt::AlignRight);

  auto* mood = new QLineSeries(chart);
  mood->setName(QObject::tr("Mood"));
  auto* anxiety = new QLineSeries(chart);
  anxiety->setName(QObject::tr("Anxiety"));
  auto* sleep = new QLineSeries(chart);
  sleep->setName(QObject::tr("Sleep (hours, right axis)"));
  double most_sleep = 12;
  for (const client::CheckInRecord& r : records) {
    if (r.mood) mood->append(MsOf(r), *r.mood);
    if (r.anxiety) anxiety->append(MsOf(r), *r.anxiety);
    if (r.sleep_minutes) {
      sleep->append(MsOf(r), *r.sleep_minutes / 60.0);
      most_sleep = std::max(most_sleep, *r.sleep_minutes / 60.0);
    }
  }
  hours->setRange(0, std::ceil(most_sleep));
  for (QLineSeries* s : {mood, anxiety, sleep}) s->setPointsVisible(true);
  Attach(chart, mood, x, scale);
  Attach(chart, anxiety, x, scale);
  Attach(chart, sleep, x, hours);
  ApplyPalette(chart, owner);
}

// As many time ticks as labels fit side by side in the plot's width, so
// they never run into each other (2 to 6).
void FitTicks(QChart* chart, const QWidget& owner) {
  for (QAbstractAxis* axis : chart->axes(Qt::Horizontal)) {
    auto* time = qobject_cast<QDateTimeAxis*>(axis);
    if (time == nullptr) continue;
    const QFontMetrics fm(owner.font());
    const int label =
        fm.horizontalAdvance(time->min().toString(time->format())) + (2 * fm.height());
    const int fit = static_cast<int>(chart->plotArea().width()) / std::max(1, label) + 1;
    const int ticks = std::clamp(fit, 2, 6);
    if (time->tickCount() != ticks) time->setTickCount(ticks);
  }
}

QChartView* NewView(const QString& name, QWidget* parent) {
  auto* view = new QChartView(new QChart(), parent);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumHeight(view->fontMetrics().height() * 10);
  view->setMinimumWidth(view->fontMetrics().averageCharWidth() * 36);
  view->setAccessibleName(name);
  view->setFocusPolicy(Qt::NoFocus);  // nothing to operate; the table has the values
  QChart* chart = view->chart();
  QObject::connect(chart, &QChart::plotAreaChanged, view,
                   [chart, parent] { FitTicks(chart, *parent); });
  return view;
}

}  // namespace

CheckInChart::CheckInChart(QWidget* parent) : QWidget(parent) {
  // The two questionnaires side by side, the daily values under them at the
  // full width: two charts' height, not three, so a window of ordinary size
  // shows them all.
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* scores = new QHBoxLayout();
  phq9_ = NewView(tr("PHQ-9 totals over time, over the severity bands"), this);
  gad7_ = NewView(tr("GAD-7 totals over time, over the severity bands"), this);
  daily_ = NewView(tr("Mood, anxiety and sleep over time"), this);
  scores->addWidget(phq9_);
  scores->addWidget(gad7_);
  layout->addLayout(scores, 1);
  layout->addWidget(daily_, 1);
  Rebuild();
}

QSize CheckInChart::sizeHint() const {
  const QFontMetrics fm = fontMetrics();
  return {fm.averageCharWidth() * 140, fm.height() * 38};
}

QChart* CheckInChart::phq9Chart() const { return phq9_->chart(); }
QChart* CheckInChart::gad7Chart() const { return gad7_->chart(); }
QChart* CheckInChart::dailyChart() const { return daily_->chart(); }

void CheckInChart::SetRecords(std::vector<client::CheckInRecord> records) {
  records_ = std::move(records);
  Rebuild();
}

void CheckInChart::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) Rebuild();
}

void CheckInChart::Rebuild() {
  for (QChartView* view : {phq9_, gad7_, daily_}) {
    QChart* chart = view->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes()) {
      chart->removeAxis(axis);
      delete axis;  // NOLINT(cppcoreguidelines-owning-memory): removeAxis hands it back
    }
    view->setBackgroundBrush(palette().brush(QPalette::Base));
  }
  BuildScoreChart(phq9_->chart(), therapy::InstrumentId::kPhq9, records_, *this);
  BuildScoreChart(gad7_->chart(), therapy::InstrumentId::kGad7, records_, *this);
  BuildDailyChart(daily_->chart(), records_, *this);
  for (QChartView* view : {phq9_, gad7_, daily_}) FitTicks(view->chart(), *this);
  // A questionnaire nobody was asked is no chart of empty bands; with
  // neither (or nothing yet) both show, so the window keeps its shape.
  auto answered = [this](therapy::InstrumentId id) {
    return std::any_of(records_.begin(), records_.end(),
                       [id](const client::CheckInRecord& r) { return r.Find(id) != nullptr; });
  };
  const bool phq9 = answered(therapy::InstrumentId::kPhq9);
  const bool gad7 = answered(therapy::InstrumentId::kGad7);
  phq9_->setVisible(phq9 || !gad7);
  gad7_->setVisible(gad7 || !phq9);
}

}  // namespace attune::desktop::tools
