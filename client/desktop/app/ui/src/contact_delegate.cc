#include "attune/desktop/contact_delegate.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>

#include "attune/desktop/contact_list_model.h"

namespace attune::desktop {
namespace {

// A rounded label of `text` ending at `right` (vertically centred in
// `row`); returns its left edge.
int DrawPill(QPainter* painter, const QRect& row, int right, const QString& text, const QFont& font,
             const QColor& fill, const QColor& ink) {
  const QFontMetrics fm(font);
  const int pad = fm.height() / 3;
  const int w = fm.horizontalAdvance(text) + 2 * pad;
  const int h = fm.height() + pad / 2;
  const QRect pill(right - w, row.center().y() - h / 2, w, h);
  QPainterPath path;
  path.addRoundedRect(pill, h / 2.0, h / 2.0);
  painter->fillPath(path, fill);
  painter->setPen(ink);
  painter->setFont(font);
  painter->drawText(pill, Qt::AlignCenter, text);
  return pill.left();
}

QFont Bold(QFont font) {
  font.setBold(true);
  return font;
}

}  // namespace

QSize ContactDelegate::sizeHint(const QStyleOptionViewItem& option,
                                const QModelIndex& /*index*/) const {
  const QFontMetrics fm(option.font);
  // Width is whatever the list gives: the name elides to fit.
  return {fm.height() * 4, fm.height() * 2};
}

void ContactDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                            const QModelIndex& index) const {
  QStyleOptionViewItem opt = option;
  initStyleOption(&opt, index);
  const QString name = opt.text;  // the row's full text, replaced below
  opt.text.clear();
  const QWidget* widget = opt.widget;
  QStyle* style = widget != nullptr ? widget->style() : QApplication::style();
  // Selection, focus and hover backgrounds as the style draws them.
  style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

  const bool selected = (opt.state & QStyle::State_Selected) != 0;
  const QPalette& pal = opt.palette;
  const QColor text = pal.color(selected ? QPalette::HighlightedText : QPalette::Text);
  const QFontMetrics fm(opt.font);
  const int pad = fm.height() / 2;
  QRect row = opt.rect.adjusted(pad, 0, -pad, 0);
  const int unread = index.data(ContactListModel::kUnreadRole).toInt();
  const int urgent = index.data(ContactListModel::kUrgentRole).toInt();
  const bool blocked = index.data(ContactListModel::kSendBlockedRole).toBool();

  painter->save();
  painter->setRenderHint(QPainter::Antialiasing);
  int right = row.right();
  if (unread > 0) {
    const QColor fill = pal.color(selected ? QPalette::Base : QPalette::Highlight);
    const QColor ink = pal.color(selected ? QPalette::Text : QPalette::HighlightedText);
    right = DrawPill(painter, row, right, QString::number(unread), Bold(opt.font), fill, ink) - pad;
  }
  int left = row.left();
  if (urgent > 0) {
    const QString badge = tr("URGENT");
    const QFont bold = Bold(opt.font);
    const int w =
        QFontMetrics(bold).horizontalAdvance(badge) + 2 * (QFontMetrics(bold).height() / 3);
    DrawPill(painter, row, left + w, badge, bold, QColor(0xb0, 0x1e, 0x1e), Qt::white);
    left += w + pad;
  }
  QString label = index.data(ContactListModel::kNameRole).toString();
  if (label.isEmpty()) label = name;
  if (blocked) label += tr(" (sending blocked)");
  const QFont font = (unread > 0 || urgent > 0) ? Bold(opt.font) : opt.font;
  painter->setFont(font);
  painter->setPen(text);
  const QRect name_rect(left, row.top(), std::max(0, right - left), row.height());
  painter->drawText(name_rect, Qt::AlignVCenter | Qt::AlignLeft,
                    QFontMetrics(font).elidedText(label, Qt::ElideRight, name_rect.width()));
  painter->restore();
}

}  // namespace attune::desktop
