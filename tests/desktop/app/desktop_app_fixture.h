// The widget tests' fixture: a real attune-relay on 127.0.0.1, MainWindows
// on their own (or a shared) profile in a temporary folder, both clocks
// injected (the idle lock's steady clock and the engines' wall clock), and
// the steps a person takes — first run, pairing — done through the window.
// SaveScreens writes <name>-light.png and -dark.png for a reviewer.
#pragma once

#include <gtest/gtest.h>

#include <QString>
#include <QWidget>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "attune/desktop/main_window.h"
#include "attune/therapy/instrument.h"
#include "desktop_test_support.h"
#include "engine_support.h"

namespace attune::desktop {

inline const QString kTherapistPass = QStringLiteral("violet harbour lamp 1987 orbit");
inline const QString kClientPass = QStringLiteral("seven quiet meadows 42 under rain");

// Saves `window` as <name>-light.png and <name>-dark.png in the build
// folder's screens/ (ATTUNE_DESKTOP_SCREENS overrides it).
void SaveScreens(QWidget& window, const QString& name);
void TypeInto(QWidget* field, const QString& text);
// The code `attune-relay enrollment issue` prints for this relay.
std::string EnrollmentCode(const attune::testing::RelayUnderTest& relay);

class DesktopApp : public ::testing::Test {
 protected:
  void SetUp() override;

  // A shown window on the profile folder `name` (two windows on one name
  // share the profile, as two running instances do).
  std::unique_ptr<MainWindow> Window(const std::string& name);
  // First run through the form, as a person would fill it in.
  void CreateProfile(MainWindow& w, bool therapist, const QString& name, const QString& pass);
  // The therapist invites `client_name` (the engine call InviteDialog
  // makes), the client pastes the code and connects; returns when both
  // windows list each other.
  void PairWindows(MainWindow& therapist, MainWindow& client, const std::string& client_name);
  // The therapist schedules a daily 20:00 check-in of mood and
  // `instruments` for `client_name` in `zone` (empty: the client's) through
  // Practice settings' schedule tab, as a person fills it in (saves
  // therapist-schedule-*.png); returns once the dialog said it was sent and
  // was closed.
  void ScheduleDaily(MainWindow& therapist, const std::string& client_name,
                     std::vector<therapy::InstrumentId> instruments, const std::string& zone);
  // A therapist window ("Dr Rivera") and a client window ("Ana", known to
  // the therapist as "ana"), each on a new profile, paired through them.
  void OpenPairedWindows(std::unique_ptr<MainWindow>& therapist,
                         std::unique_ptr<MainWindow>& client);
  // Unlocks the window's unlock screen with `pass`, as typed.
  void Unlock(MainWindow& w, const QString& pass);

  attune::testing::TempDir root_{"attune-desktop-ui"};
  std::unique_ptr<attune::testing::RelayUnderTest> relay_;
  testing::FakeClock clock_;
  // The engines' wall clock (unix seconds); 0 means the system's.
  std::atomic<uint64_t> wall_now_{0};
};

}  // namespace attune::desktop
