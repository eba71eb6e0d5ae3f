// The message composer: Enter sends, Shift+Enter starts a new line, Tab
// moves focus on (keyboard-only use). Plain text only.
#pragma once

#include <QPlainTextEdit>

namespace attune::desktop {

class Composer : public QPlainTextEdit {
  Q_OBJECT

 public:
  explicit Composer(QWidget* parent = nullptr);

 signals:
  void submitted();

 protected:
  void keyPressEvent(QKeyEvent* event) override;
};

}  // namespace attune::desktop
