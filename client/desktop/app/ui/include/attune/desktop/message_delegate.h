// Draws one conversation row as a bubble: ours on the right in the
// palette's highlight colour, theirs on the left in the alternate base
// colour; under the text the local time and, for ours, queued / sent /
// delivered (never "read": there are no read receipts by design). A
// check-in is a card: its title, one line per answer (label and value) and,
// when urgent, the reason on a highlighted band — the words are the
// engine's (therapy::CheckInCard). Colours and fonts come from the palette
// and the system font, so light/dark themes and font scaling follow the
// system.
//
// Per-row cost: a row's layout (text wrapping, card lines) is computed once
// per width and font and kept, keyed by the message; a view that lays out
// 5,000 rows again (a new row, a resize of the other axis) or scrolls asks
// sizeHint() and paint() of laid-out rows, which then only look it up.
#pragma once

#include <QFont>
#include <QHash>
#include <QRect>
#include <QStyledItemDelegate>

namespace attune::desktop {

class MessageDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  explicit MessageDelegate(QObject* parent = nullptr) : QStyledItemDelegate(parent) {}

  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

  // Geometry of one row relative to its top-left corner, in pixels.
  struct Layout {
    int width = 0;    // the row width it was made for
    int status = -1;  // the delivery status it was made with (meta width)
    QRect bubble{};
    QRect text{};  // texts: the wrapped text; cards: the title
    QRect meta{};
    QRect risk{};  // cards: the highlighted reason, or empty
    int line_height = 0;
    int label_width = 0;  // cards: the label column
  };

 private:
  const Layout& LayoutFor(const QStyleOptionViewItem& option, const QModelIndex& index) const;

  mutable QFont font_{};  // the font the cached layouts were made with
  mutable QHash<qint64, Layout> layouts_{};
};

}  // namespace attune::desktop
