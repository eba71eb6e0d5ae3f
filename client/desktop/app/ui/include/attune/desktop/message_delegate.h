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
// What paint() draws of a text row (the wrapped text and the time line, as
// QTextLayout: shaped and broken into lines once) is kept too, for the rows
// painted most recently (kMaxPaintedChars), and dropped with the layout it
// was made for (another width, status or font). Colours are the painter's,
// so a palette change needs nothing new.
#pragma once

#include <QCache>
#include <QFont>
#include <QHash>
#include <QRect>
#include <QStyledItemDelegate>
#include <QTextLayout>
#include <memory>

namespace attune::desktop {

class MessageDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  explicit MessageDelegate(QObject* parent = nullptr) : QStyledItemDelegate(parent) {}

  // painted_'s budget, in characters of text kept ready to draw: about a
  // thousand ordinary rows, a few MiB of shaped glyphs.
  static constexpr qsizetype kMaxPaintedChars = qsizetype{1} << 17;

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
  // A text row's words and its time line, ready to draw (cards: the time
  // line only; their lines are drawn from the card).
  struct Painted {
    QTextLayout text{};
    QTextLayout meta{};
  };

  const Layout& LayoutFor(const QStyleOptionViewItem& option, const QModelIndex& index) const;
  // The cached Painted of the row, made when missing; valid until the next
  // call.
  const Painted& PaintedFor(const QStyleOptionViewItem& option, const Layout& layout,
                            const QModelIndex& index, bool card) const;

  mutable QFont font_{};  // the font the cached layouts were made with
  mutable QHash<qint64, Layout> layouts_{};
  // Cost: characters (shaped glyphs, a few dozen bytes each).
  mutable QCache<qint64, Painted> painted_{kMaxPaintedChars};
  mutable std::unique_ptr<Painted> uncached_{};  // longer than painted_ holds
};

}  // namespace attune::desktop
