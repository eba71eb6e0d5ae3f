#include "attune/desktop/profile_opener.h"

#include <QByteArray>
#include <QMetaObject>

namespace attune::desktop {

crypto::SecretBytes SecretFromText(const QString& text) {
  QByteArray utf8 = text.toUtf8();
  crypto::SecretBytes out(ByteView(reinterpret_cast<const uint8_t*>(utf8.constData()),
                                   static_cast<size_t>(utf8.size())));
  crypto::SecureZero(utf8.data(), static_cast<size_t>(utf8.size()));
  return out;
}

ProfileOpener::~ProfileOpener() {
  if (thread_.joinable()) thread_.join();
}

void ProfileOpener::Start(std::function<Result<std::unique_ptr<client::Engine>>()> work,
                          Done done) {
  if (busy_) return;
  busy_ = true;
  if (thread_.joinable()) thread_.join();  // the previous one has answered already
  // `this` outlives the thread (the destructor joins it); a queued call to
  // a destroyed object is dropped by Qt.
  thread_ = std::thread([this, work = std::move(work), done = std::move(done)]() mutable {
    auto result = std::make_shared<Result<std::unique_ptr<client::Engine>>>(work());
    // Qt owns (and frees) the queued slot object; the analyzer cannot see it.
    // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDeleteLeaks)
    QMetaObject::invokeMethod(
        this,
        [this, done = std::move(done), result]() mutable {
          busy_ = false;
          done(std::move(*result));
        },
        Qt::QueuedConnection);
  });
}

void ProfileOpener::Open(const std::string& dir, crypto::SecretBytes passphrase, Done done) {
  auto pass = std::make_shared<crypto::SecretBytes>(std::move(passphrase));
  // The whole-file page check is deferred (the main window runs it right
  // after the first screen is filled), so unlocking costs the key derivation
  // and the first queries, not a read of every page.
  Start(
      [dir, pass, now = now_]() {
        client::EngineOptions options;
        options.now = now;
        options.integrity_check = client::store::IntegrityCheck::kDeferred;
        return client::Engine::Open(dir, pass->view(), std::move(options));
      },
      std::move(done));
}

void ProfileOpener::Create(const std::string& dir, crypto::SecretBytes passphrase,
                           client::store::KdfStrength strength, const client::AccountInfo& account,
                           std::optional<client::ClinicRelay> relay, Done done) {
  auto pass = std::make_shared<crypto::SecretBytes>(std::move(passphrase));
  auto relay_ptr = std::make_shared<std::optional<client::ClinicRelay>>(std::move(relay));
  Start(
      [dir, pass, strength, account, relay_ptr, now = now_]() {
        client::EngineOptions options;
        options.now = now;
        return client::Engine::Create(dir, pass->view(), strength, account, *relay_ptr,
                                      std::move(options));
      },
      std::move(done));
}

}  // namespace attune::desktop
