#include "attune/desktop/composer.h"

#include <QKeyEvent>

namespace attune::desktop {

Composer::Composer(QWidget* parent) : QPlainTextEdit(parent) {
  setTabChangesFocus(true);
  setPlaceholderText(tr("Write a message — Enter sends, Shift+Enter for a new line"));
  setAccessibleName(tr("Message"));
  setAccessibleDescription(tr("Enter sends, Shift+Enter starts a new line"));
  // About three lines high at the system font size.
  setMaximumHeight(fontMetrics().lineSpacing() * 4 + 12);
}

void Composer::keyPressEvent(QKeyEvent* event) {
  const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
  if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
    event->accept();
    emit submitted();
    return;
  }
  QPlainTextEdit::keyPressEvent(event);
}

}  // namespace attune::desktop
