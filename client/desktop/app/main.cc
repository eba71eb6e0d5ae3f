// attune-desktop: the Qt front end for therapists and clients (README,
// "Desktop app"). Usage: attune-desktop [--profile DIR]. The default profile
// directory is the CLI's (client::DefaultProfileDir), so both open the same
// profile.
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "attune/client/process_hardening.h"
#include "attune/client/profile_location.h"
#include "attune/crypto/util.h"
#include "attune/desktop/main_window.h"

int main(int argc, char** argv) {
  QElapsedTimer started;
  started.start();
  attune::client::DisableCoreDumps();  // the unlocked profile's keys live in this process
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("Attune"));
  QApplication::setApplicationName(QStringLiteral("attune-desktop"));
  QApplication::setApplicationDisplayName(QStringLiteral("Attune"));
  QApplication::setDesktopFileName(QStringLiteral("attune-desktop"));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("Attune: secure messages and check-ins"));
  parser.addHelpOption();
  QCommandLineOption profile(QStringLiteral("profile"),
                             QStringLiteral("Profile directory (default: the attune CLI's)."),
                             QStringLiteral("DIR"));
  parser.addOption(profile);
  parser.process(app);

  if (!attune::crypto::Init().ok()) {
    std::fprintf(stderr, "attune-desktop: cannot initialise libsodium\n");
    return 1;
  }
  attune::desktop::AppOptions options;
  if (parser.isSet(profile)) {
    options.profile_dir = parser.value(profile);
  } else {
    auto dir = attune::client::DefaultProfileDir();
    if (!dir.ok()) {
      std::fprintf(stderr, "attune-desktop: %s\n", dir.error().message.c_str());
      return 2;
    }
    options.profile_dir = QString::fromStdString(*dir);
  }
  // Tests and the demo only, as for the CLI: a fast, weak key derivation.
  const char* fast = std::getenv("ATTUNE_TEST_FAST_KDF");
  if (fast != nullptr && std::strcmp(fast, "1") == 0) {
    options.strength = attune::client::store::KdfStrength::kTestInteractive;
  }
  attune::desktop::MainWindow window(std::move(options));
  window.show();
  // ATTUNE_DESKTOP_STARTUP_PROBE=1: print the time to the first screen and
  // quit (the start-up benchmark in the report).
  const char* probe = std::getenv("ATTUNE_DESKTOP_STARTUP_PROBE");
  if (probe != nullptr && std::strcmp(probe, "1") == 0) {
    QMetaObject::invokeMethod(
        &app,
        [&] {
          std::printf("first screen after %lld ms\n", static_cast<long long>(started.elapsed()));
          std::fflush(stdout);
          QApplication::quit();
        },
        Qt::QueuedConnection);
  }
  return QApplication::exec();
}
