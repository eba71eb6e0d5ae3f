#include "attune/desktop/message_delegate.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <QTextOption>
#include <algorithm>

#include "attune/desktop/conversation_model.h"

namespace attune::desktop {
namespace {

// Geometry in multiples of the font height, so it scales with the font.
struct Layout {
  QRect bubble{};
  QRect text{};
  QRect meta{};
};

QFont SmallFont(const QFont& base) {
  QFont small = base;
  if (base.pointSizeF() > 0) {
    small.setPointSizeF(base.pointSizeF() * 0.85);
  } else {
    small.setPixelSize(std::max(1, base.pixelSize() * 85 / 100));
  }
  return small;
}

QString MetaText(const QModelIndex& index) {
  const QDateTime when = index.data(ConversationModel::kTimeRole).toDateTime();
  QString meta = QLocale().toString(when, QLocale::ShortFormat);
  if (index.data(ConversationModel::kOutgoingRole).toBool()) {
    const QString status = index.data(ConversationModel::kStatusTextRole).toString();
    if (!status.isEmpty()) meta += QStringLiteral(" · ") + status;
  }
  return meta;
}

Layout Compute(const QStyleOptionViewItem& option, const QModelIndex& index) {
  const QFontMetrics fm(option.font);
  const int pad = fm.height() / 2;
  const int max_text = std::max(option.rect.width() * 7 / 10 - 2 * pad, fm.height() * 4);
  const QString text = index.data(Qt::DisplayRole).toString();
  const QRect text_rect =
      fm.boundingRect(QRect(0, 0, max_text, 100000), Qt::TextWordWrap | Qt::AlignLeft, text);
  const QFontMetrics sfm(SmallFont(option.font));
  const QString meta = MetaText(index);
  const int meta_w = sfm.horizontalAdvance(meta);
  const int inner_w = std::max(text_rect.width(), meta_w);
  const int inner_h = text_rect.height() + sfm.height();
  Layout l;
  const bool ours = index.data(ConversationModel::kOutgoingRole).toBool();
  const int x = ours ? option.rect.right() - pad - inner_w - 2 * pad : option.rect.left() + pad;
  l.bubble = QRect(x, option.rect.top() + pad / 2, inner_w + 2 * pad, inner_h + 2 * pad);
  l.text = QRect(x + pad, l.bubble.top() + pad, inner_w, text_rect.height());
  l.meta = QRect(x + pad, l.text.bottom() + 1, inner_w, sfm.height());
  return l;
}

}  // namespace

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem& option,
                                const QModelIndex& index) const {
  const Layout l = Compute(option, index);
  const int pad = QFontMetrics(option.font).height() / 2;
  return {option.rect.width(), l.bubble.height() + pad};
}

void MessageDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                            const QModelIndex& index) const {
  const Layout l = Compute(option, index);
  const bool ours = index.data(ConversationModel::kOutgoingRole).toBool();
  const QPalette& pal = option.palette;
  painter->save();
  painter->setRenderHint(QPainter::Antialiasing);
  const int radius = QFontMetrics(option.font).height() / 2;
  QPainterPath path;
  path.addRoundedRect(l.bubble, radius, radius);
  painter->fillPath(path, ours ? pal.highlight() : pal.alternateBase());
  if (option.state & QStyle::State_HasFocus) {
    painter->setPen(QPen(pal.color(QPalette::Text), 1, Qt::DotLine));
    painter->drawPath(path);
  }
  painter->setPen(ours ? pal.color(QPalette::HighlightedText) : pal.color(QPalette::Text));
  painter->setFont(option.font);
  painter->drawText(l.text, Qt::TextWordWrap | Qt::AlignLeft,
                    index.data(Qt::DisplayRole).toString());
  painter->setFont(SmallFont(option.font));
  painter->drawText(l.meta, ours ? Qt::AlignRight : Qt::AlignLeft, MetaText(index));
  painter->restore();
}

}  // namespace attune::desktop
