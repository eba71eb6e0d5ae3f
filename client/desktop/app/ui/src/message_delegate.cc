#include "attune/desktop/message_delegate.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <QTextOption>
#include <algorithm>

#include "attune/desktop/conversation_model.h"

namespace attune::desktop {
namespace {

// Drop cached layouts beyond this many rows (conversations opened one
// after another in a long session); each is a few dozen bytes.
constexpr qsizetype kMaxCachedLayouts = 50000;

// A line that never wraps (qt_format_text's width for one).
constexpr qreal kUnwrappedWidth = 0x01000000;

QFont SmallFont(const QFont& base) {
  QFont small = base;
  if (base.pointSizeF() > 0) {
    small.setPointSizeF(base.pointSizeF() * 0.85);
  } else {
    small.setPixelSize(std::max(1, base.pixelSize() * 85 / 100));
  }
  return small;
}

QFont BoldFont(const QFont& base) {
  QFont bold = base;
  bold.setBold(true);
  return bold;
}

const client::HistoryItem* ItemOf(const QModelIndex& index) {
  const auto* model = qobject_cast<const ConversationModel*>(index.model());
  return model != nullptr ? model->At(index.row()) : nullptr;
}

// The row's key in the caches: its message, or (no message) its row.
qint64 RowKey(const QModelIndex& index) {
  const client::HistoryItem* item = ItemOf(index);
  return item != nullptr ? item->message_id : -1 - index.row();
}

// Lays `text` out as drawText(rect, flags) does (qt_format_text): a newline
// breaks the line, the font's leading between lines; with `wrap`
// (Qt::TextWordWrap) lines `width` wide, else one line however long (the
// time line: its width was measured in whole pixels, its glyphs are not).
void LayOutLines(QTextLayout& layout, QString text, const QFont& font, qreal width, bool wrap) {
  text.replace(u'\n', QChar::LineSeparator);
  layout.setText(text);
  layout.setFont(font);
  layout.setCacheEnabled(true);  // keep the glyphs for the next paint
  QTextOption option;
  option.setWrapMode(wrap ? QTextOption::WordWrap : QTextOption::NoWrap);
  layout.setTextOption(option);
  const qreal leading = QFontMetricsF(font).leading();
  qreal y = 0;
  layout.beginLayout();
  for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
    line.setLineWidth(wrap ? width : kUnwrappedWidth);
    line.setPosition(QPointF(0, y));
    y += line.height() + leading;
  }
  layout.endLayout();
}

// The urgent band: the palette's own "wrong" colour would be ideal, but Qt
// has none; a red that reads on light and dark bases, text in the base's
// contrast colour.
QColor RiskColor(const QPalette& pal) {
  const bool dark = pal.color(QPalette::Base).lightness() < 128;
  return dark ? QColor(0xb7, 0x1c, 0x1c) : QColor(0xfd, 0xe0, 0xe0);
}

QColor RiskTextColor(const QPalette& pal) {
  const bool dark = pal.color(QPalette::Base).lightness() < 128;
  return dark ? QColor(Qt::white) : QColor(0x8e, 0x0e, 0x0e);
}

QString FilledText(const therapy::CheckInCard& card) {
  return QObject::tr("filled in %1").arg(QString::fromStdString(card.filled_at));
}

// The text (or card) box's size for a bubble at most max_text wide.
void LayOutText(const QStyleOptionViewItem& option, const QModelIndex& index, int max_text,
                const QString& meta, MessageDelegate::Layout& l) {
  const QFontMetrics fm(option.font);
  const QFontMetrics sfm(SmallFont(option.font));
  const int pad = fm.height() / 2;
  const client::HistoryItem* item = ItemOf(index);
  int inner_w = sfm.horizontalAdvance(meta);
  int y = 0;
  if (item != nullptr && item->check_in) {
    const therapy::CheckInCard& card = *item->check_in;
    const QFontMetrics bfm(BoldFont(option.font));
    inner_w = std::max(inner_w, bfm.horizontalAdvance(QString::fromStdString(card.title)));
    if (!card.filled_at.empty()) {
      inner_w = std::max(inner_w, sfm.horizontalAdvance(FilledText(card)));
    }
    int value_w = 0;
    for (const therapy::CheckInCardLine& line : card.lines) {
      l.label_width =
          std::max(l.label_width, bfm.horizontalAdvance(QString::fromStdString(line.label)));
      value_w = std::max(value_w, fm.horizontalAdvance(QString::fromStdString(line.value)));
    }
    l.label_width += pad;
    value_w += pad / 2;  // slack: advances are rounded
    inner_w = std::min(max_text, std::max(inner_w, l.label_width + value_w));
    l.line_height = fm.height();
    y = bfm.height() + (card.filled_at.empty() ? 0 : sfm.height()) +
        static_cast<int>(card.lines.size()) * fm.height();
    l.text = QRect(0, 0, inner_w, y);
    if (card.urgent) {
      const QRect risk = bfm.boundingRect(
          QRect(0, 0, inner_w - pad, 100000), Qt::TextWordWrap | Qt::AlignLeft,
          QObject::tr("Needs attention: %1").arg(QString::fromStdString(card.risk)));
      l.risk = QRect(0, y + pad / 2, inner_w, risk.height() + pad / 2);
      y = l.risk.bottom() + 1 + pad / 2;
    }
  } else {
    const QString text = index.data(Qt::DisplayRole).toString();
    const QRect rect =
        fm.boundingRect(QRect(0, 0, max_text, 100000), Qt::TextWordWrap | Qt::AlignLeft, text);
    inner_w = std::max(inner_w, rect.width());
    l.text = QRect(0, 0, inner_w, rect.height());
    y = rect.height();
  }
  l.meta = QRect(0, y, inner_w, sfm.height());
}

}  // namespace

const MessageDelegate::Layout& MessageDelegate::LayoutFor(const QStyleOptionViewItem& option,
                                                          const QModelIndex& index) const {
  if (option.font != font_ || layouts_.size() > kMaxCachedLayouts) {
    layouts_.clear();
    painted_.clear();
    font_ = option.font;
  }
  const client::HistoryItem* item = ItemOf(index);
  const qint64 key = RowKey(index);
  const int status = item != nullptr ? static_cast<int>(item->status) : -1;
  auto it = layouts_.find(key);
  if (it != layouts_.end() && it->width == option.rect.width() && it->status == status) {
    return *it;
  }
  painted_.remove(key);  // made for the old layout
  Layout l;
  l.width = option.rect.width();
  l.status = status;
  const QFontMetrics fm(option.font);
  const int pad = fm.height() / 2;
  const int max_text = std::max(option.rect.width() * 7 / 10 - 2 * pad, fm.height() * 4);
  LayOutText(option, index, max_text, index.data(ConversationModel::kMetaTextRole).toString(), l);
  const int inner_w = l.text.width();
  const int inner_h = l.meta.bottom() + 1;
  const bool ours = index.data(ConversationModel::kOutgoingRole).toBool();
  const int x = ours ? option.rect.width() - 1 - pad - inner_w - 2 * pad : pad;
  l.bubble = QRect(x, pad / 2, inner_w + 2 * pad, inner_h + 2 * pad);
  const QPoint inner(x + pad, l.bubble.top() + pad);
  l.text.translate(inner);
  l.meta.translate(inner);
  if (!l.risk.isNull()) l.risk.translate(inner);
  return *layouts_.insert(key, l);
}

const MessageDelegate::Painted& MessageDelegate::PaintedFor(const QStyleOptionViewItem& option,
                                                            const Layout& layout,
                                                            const QModelIndex& index,
                                                            bool card) const {
  const qint64 key = RowKey(index);
  if (const Painted* hit = painted_.object(key)) return *hit;
  auto made = std::make_unique<Painted>();
  const QString meta = index.data(ConversationModel::kMetaTextRole).toString();
  LayOutLines(made->meta, meta, SmallFont(option.font), layout.meta.width(),
              /*wrap=*/false);
  qsizetype cost = meta.size();
  if (!card) {
    const QString text = index.data(Qt::DisplayRole).toString();
    // The width LayOutText wrapped it to: the same lines.
    LayOutLines(made->text, text, option.font, layout.text.width(), /*wrap=*/true);
    cost += text.size();
  }
  Painted* kept = made.get();
  if (painted_.insert(key, made.release(), std::max<qsizetype>(1, cost))) return *kept;
  // Longer than the whole budget: insert() deleted it; this paint only.
  uncached_ = std::make_unique<Painted>();
  LayOutLines(uncached_->meta, meta, SmallFont(option.font), layout.meta.width(),
              /*wrap=*/false);
  if (!card) {
    LayOutLines(uncached_->text, index.data(Qt::DisplayRole).toString(), option.font,
                layout.text.width(), /*wrap=*/true);
  }
  return *uncached_;
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem& option,
                                const QModelIndex& index) const {
  const Layout& l = LayoutFor(option, index);
  const int pad = QFontMetrics(option.font).height() / 2;
  return {option.rect.width(), l.bubble.height() + pad};
}

void MessageDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                            const QModelIndex& index) const {
  const Layout& l = LayoutFor(option, index);
  const bool ours = index.data(ConversationModel::kOutgoingRole).toBool();
  const client::HistoryItem* item = ItemOf(index);
  const therapy::CheckInCard* card = item != nullptr && item->check_in ? &*item->check_in : nullptr;
  const Painted& painted = PaintedFor(option, l, index, card != nullptr);
  const QPalette& pal = option.palette;
  const QColor text_color = ours ? pal.color(QPalette::HighlightedText) : pal.color(QPalette::Text);
  painter->save();
  painter->translate(option.rect.topLeft());
  painter->setRenderHint(QPainter::Antialiasing);
  const int radius = QFontMetrics(option.font).height() / 2;
  QPainterPath path;
  path.addRoundedRect(l.bubble, radius, radius);
  painter->fillPath(path, ours ? pal.highlight() : pal.alternateBase());
  if (option.state & QStyle::State_HasFocus) {
    painter->setPen(QPen(pal.color(QPalette::Text), 1, Qt::DotLine));
    painter->drawPath(path);
  }
  painter->setPen(text_color);
  if (card == nullptr) {
    painter->setFont(option.font);
    painted.text.draw(painter, l.text.topLeft());
  } else {
    const QFont bold = BoldFont(option.font);
    const QFont small = SmallFont(option.font);
    int y = l.text.top();
    painter->setFont(bold);
    const int title_h = QFontMetrics(bold).height();
    painter->drawText(QRect(l.text.left(), y, l.text.width(), title_h), Qt::AlignLeft,
                      QString::fromStdString(card->title));
    y += title_h;
    if (!card->filled_at.empty()) {
      painter->setFont(small);
      const int h = QFontMetrics(small).height();
      painter->drawText(QRect(l.text.left(), y, l.text.width(), h), Qt::AlignLeft,
                        FilledText(*card));
      y += h;
    }
    const QFontMetrics fm(option.font);
    for (const therapy::CheckInCardLine& line : card->lines) {
      const QRect label(l.text.left(), y, l.label_width, l.line_height);
      const QRect value(label.right() + 1, y, l.text.right() - label.right(), l.line_height);
      if (line.flagged) {
        painter->fillRect(QRect(l.text.left(), y, l.text.width(), l.line_height), RiskColor(pal));
        painter->setPen(RiskTextColor(pal));
      }
      painter->setFont(bold);
      painter->drawText(label, Qt::AlignLeft, QString::fromStdString(line.label));
      painter->setFont(option.font);
      painter->drawText(
          value, Qt::AlignLeft,
          fm.elidedText(QString::fromStdString(line.value), Qt::ElideRight, value.width()));
      painter->setPen(text_color);
      y += l.line_height;
    }
    if (card->urgent) {
      QPainterPath band;
      band.addRoundedRect(l.risk, radius / 2.0, radius / 2.0);
      painter->fillPath(band, RiskColor(pal));
      painter->setPen(RiskTextColor(pal));
      painter->setFont(bold);
      const int inset = radius / 2;
      painter->drawText(l.risk.adjusted(inset, inset / 2, -inset, 0),
                        Qt::TextWordWrap | Qt::AlignLeft,
                        tr("Needs attention: %1").arg(QString::fromStdString(card->risk)));
      painter->setPen(text_color);
    }
  }
  const qreal meta_w =
      painted.meta.lineCount() > 0 ? painted.meta.lineAt(0).naturalTextWidth() : 0.0;
  const qreal meta_x = ours ? l.meta.left() + l.meta.width() - meta_w : l.meta.left();
  painted.meta.draw(painter, QPointF(meta_x, l.meta.top()));
  painter->restore();
}

}  // namespace attune::desktop
