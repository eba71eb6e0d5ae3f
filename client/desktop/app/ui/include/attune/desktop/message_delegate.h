// Draws one conversation row as a bubble: ours on the right in the
// palette's highlight colour, theirs on the left in the alternate base
// colour; under the text the local time and, for ours, queued / sent /
// delivered (never "read": there are no read receipts by design). Colours
// and fonts come from the palette and the system font, so light/dark themes
// and font scaling follow the system.
#pragma once

#include <QStyledItemDelegate>

namespace attune::desktop {

class MessageDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  explicit MessageDelegate(QObject* parent = nullptr) : QStyledItemDelegate(parent) {}

  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

}  // namespace attune::desktop
