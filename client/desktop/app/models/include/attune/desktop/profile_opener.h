// Opens or creates a profile without blocking the GUI thread: Argon2 key
// derivation (a second or more, hundreds of MiB) and the first database
// open run on a thread of their own; the answer comes back on the GUI
// thread. One operation at a time (busy() while one runs).
//
// The passphrase is handed over in wiped memory and wiped once derived.
// Destroying the opener waits for an operation in progress (its answer is
// then dropped).
#pragma once

#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "attune/client/engine.h"
#include "attune/crypto/secret.h"

namespace attune::desktop {

class ProfileOpener : public QObject {
  Q_OBJECT

 public:
  using Done = std::function<void(Result<std::unique_ptr<client::Engine>>)>;

  explicit ProfileOpener(QObject* parent = nullptr) : QObject(parent) {}
  ~ProfileOpener() override;
  ProfileOpener(const ProfileOpener&) = delete;
  ProfileOpener& operator=(const ProfileOpener&) = delete;

  bool busy() const { return busy_; }
  // The wall clock the engines it opens use (EngineOptions::now); tests
  // set one they move by hand.
  void set_clock(client::Clock now) { now_ = std::move(now); }
  // Engine::Open. `done` runs on the GUI thread.
  void Open(const std::string& dir, crypto::SecretBytes passphrase, Done done);
  // Engine::Create.
  void Create(const std::string& dir, crypto::SecretBytes passphrase,
              client::store::KdfStrength strength, const client::AccountInfo& account,
              std::optional<client::ClinicRelay> relay, Done done);

 private:
  void Start(std::function<Result<std::unique_ptr<client::Engine>>()> work, Done done);

  std::thread thread_{};
  client::Clock now_ = client::SystemNow;
  bool busy_ = false;
};

// The passphrase fields' text in wiped memory (UTF-8). The QString itself
// cannot be wiped reliably; callers clear the field right after.
crypto::SecretBytes SecretFromText(const QString& text);

}  // namespace attune::desktop
