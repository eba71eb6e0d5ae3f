// Keyboard-only use and screen readers on every main screen (first run,
// pairing, the therapist's and the client's main screens, unlock): walking
// the widget tree, every control a person can use has an accessible name
// (as Qt's accessibility layer reports it to a screen reader), and Tab
// alone reaches every one of them; Space opens a tool from its button.
#include <gtest/gtest.h>

#include <QAbstractSpinBox>
#include <QAccessible>
#include <QApplication>
#include <QComboBox>
#include <QSet>
#include <QTest>
#include <vector>

#include "attune/desktop/tools/check_in_dialog.h"
#include "desktop_app_fixture.h"

namespace attune::desktop {
namespace {

using testing::SpinUntil;

std::string Describe(const QWidget* w) {
  return std::string(w->metaObject()->className()) + " '" + w->objectName().toStdString() + "'";
}

// The enabled, visible widgets of `root` that take focus from Tab (parts
// of a composite control — a spin box's or combo box's own line edit —
// count as that control).
std::vector<QWidget*> Controls(QWidget* root) {
  std::vector<QWidget*> out;
  for (QWidget* w : root->findChildren<QWidget*>()) {
    if (!w->isVisibleTo(root->window()) || !w->isEnabled()) continue;
    if ((w->focusPolicy() & Qt::TabFocus) == 0 || w->focusProxy() != nullptr) continue;
    QWidget* parent = w->parentWidget();
    if (qobject_cast<QAbstractSpinBox*>(parent) != nullptr ||
        qobject_cast<QComboBox*>(parent) != nullptr) {
      continue;
    }
    out.push_back(w);
  }
  return out;
}

QString AccessibleName(QWidget* w) {
  QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(w);
  return iface != nullptr ? iface->text(QAccessible::Name).trimmed() : QString();
}

// Every control of the window's current screen is named, and Tab, pressed
// again and again from the first one, reaches each.
void ExpectNamedAndReachable(MainWindow& w, const char* screen) {
  QApplication::setActiveWindow(&w);
  const std::vector<QWidget*> controls = Controls(w.current_page());
  ASSERT_FALSE(controls.empty()) << screen;
  for (QWidget* c : controls) {
    EXPECT_FALSE(AccessibleName(c).isEmpty()) << screen << ": " << Describe(c) << " has no name";
  }
  QSet<QWidget*> reached;
  controls.front()->setFocus(Qt::TabFocusReason);
  for (size_t i = 0; i < 2 * controls.size() + 4; ++i) {
    QWidget* focused = QApplication::focusWidget();
    ASSERT_NE(focused, nullptr) << screen;
    for (QWidget* p = focused; p != nullptr; p = p->parentWidget()) reached.insert(p);
    QTest::keyClick(focused, Qt::Key_Tab);
  }
  for (QWidget* c : controls) {
    EXPECT_TRUE(reached.contains(c)) << screen << ": Tab never reaches " << Describe(c) << " ("
                                     << AccessibleName(c).toStdString() << ")";
  }
}

TEST_F(DesktopApp, EveryMainScreenIsNamedAndReachableWithTab) {
  auto therapist = Window("therapist");
  therapist->first_run_page()->role()->setCurrentIndex(1);  // shows the enrollment fields
  ExpectNamedAndReachable(*therapist, "first run (therapist)");
  CreateProfile(*therapist, true, "Dr Rivera", kTherapistPass);
  auto client = Window("client");
  ExpectNamedAndReachable(*client, "first run (client)");
  CreateProfile(*client, false, "Ana", kClientPass);
  ExpectNamedAndReachable(*client, "pairing");
  PairWindows(*therapist, *client, "ana");
  therapist->therapist_page()->Select("ana");
  ExpectNamedAndReachable(*therapist, "therapist main screen");
  ExpectNamedAndReachable(*client, "client main screen");

  // Keyboard only: Tab to "Check in…", Space opens the form.
  ClientPage* cpage = client->client_page();
  QApplication::setActiveWindow(client.get());
  cpage->help_button()->setFocus(Qt::TabFocusReason);
  for (int i = 0; i < 20 && QApplication::focusWidget() != cpage->checkin_button(); ++i) {
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
  }
  ASSERT_EQ(QApplication::focusWidget(), cpage->checkin_button());
  QTest::keyClick(cpage->checkin_button(), Qt::Key_Space);
  auto* form = cpage->findChild<tools::CheckInDialog*>();
  ASSERT_NE(form, nullptr);
  ASSERT_TRUE(SpinUntil([&] { return form->scheduleLoaded(); }));
  form->close();

  QApplication::setActiveWindow(therapist.get());
  QTest::keyClick(therapist->therapist_page()->contact_list(), Qt::Key_L, Qt::ControlModifier);
  ASSERT_FALSE(therapist->unlocked());
  ExpectNamedAndReachable(*therapist, "unlock");
}

}  // namespace
}  // namespace attune::desktop
