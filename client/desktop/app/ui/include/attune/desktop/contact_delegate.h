// Draws one row of the therapist's client list in the width it is given:
// an URGENT badge while a check-in waits for acknowledgement, the client's
// name (elided, never a horizontal scrollbar), "sending blocked" when it
// is, and the unread count as a pill on the right. Sizes follow the font,
// colours the palette (the badge is white on red in both light and dark).
// Screen readers read the model's AccessibleTextRole (ContactRowText).
#pragma once

#include <QStyledItemDelegate>

namespace attune::desktop {

class ContactDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  explicit ContactDelegate(QObject* parent = nullptr) : QStyledItemDelegate(parent) {}

  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

}  // namespace attune::desktop
