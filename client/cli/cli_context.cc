#include "cli_context.h"

#include <cctype>
#include <cstdlib>
#include <iostream>

#include "attune/client/profile_location.h"
#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "passphrase.h"

namespace attune::cli {
namespace {

constexpr const char* kPassphraseEnv = "ATTUNE_PASSPHRASE";
constexpr const char* kNewPassphraseEnv = "ATTUNE_NEW_PASSPHRASE";
// Test-only: Argon2id INTERACTIVE limits for new profiles (recorded in the
// profile's keyparams file, so the weaker setting is visible there).
constexpr const char* kFastKdfEnv = "ATTUNE_TEST_FAST_KDF";

crypto::SecretBytes FromEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return crypto::SecretBytes();
  return crypto::SecretBytes(AsBytes(v));
}

crypto::SecretBytes Acquire(int fd, const char* env, const char* prompt, bool confirm) {
  if (fd >= 0) return Take(ReadSecretLineFromFd(fd));
  crypto::SecretBytes from_env = FromEnv(env);
  if (!from_env.empty()) return from_env;
  crypto::SecretBytes first = Take(PromptSecret(prompt));
  if (confirm) {
    crypto::SecretBytes again = Take(PromptSecret("Repeat it: "));
    if (!crypto::ConstantTimeEqual(first.view(), again.view())) {
      throw CommandError("the two passphrases differ");
    }
  }
  return first;
}

}  // namespace

[[noreturn]] void Fail(const Error& error) { throw CommandError(error.message, kExitError); }

void Check(const Status& status) {
  if (!status.ok()) Fail(status.error());
}

std::string ShellWord(std::string_view name) {
  bool plain = !name.empty();
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      plain = false;
    }
  }
  if (plain) return std::string(name);
  std::string out = "'";
  for (char c : name) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string CliContext::ProfileDir() const {
  if (!options.profile_dir.empty()) return options.profile_dir;
  auto dir = client::DefaultProfileDir();
  if (!dir.ok()) throw CommandError(dir.error().message);
  return *dir;
}

crypto::RandomSource& CliContext::random() { return crypto::SystemRandom(); }

crypto::SecretBytes CliContext::CurrentPassphrase() {
  return Acquire(options.passphrase_fd, kPassphraseEnv, "Passphrase: ", false);
}

crypto::SecretBytes CliContext::NewPassphrase() {
  return Acquire(options.new_passphrase_fd, kNewPassphraseEnv, "New passphrase: ", true);
}

client::Engine& CliContext::Open() {
  if (engine_) return *engine_;
  const std::string dir = ProfileDir();
  if (!client::store::Profile::Exists(dir)) {
    throw CommandError("no profile in " + dir + " (create one with `attune init`)");
  }
  crypto::SecretBytes passphrase = CurrentPassphrase();
  auto opened = client::Engine::Open(dir, passphrase.view());
  if (!opened.ok()) {
    // Engine::Open documents kAuthFailed as "wrong passphrase" and nothing else.
    if (opened.error().code == ErrorCode::kAuthFailed) {
      throw CommandError(opened.error().message, kExitWrongPassphrase);
    }
    Fail(opened.error());
  }
  engine_ = std::move(opened).value();
  if (engine_->rollback_detected()) {
    std::cerr << "attune: WARNING: this profile's database is older than the last one used "
                 "(restored from a backup?). Sending is disabled for every contact until you "
              << (engine_->account().role == client::Role::kTherapist
                      ? "invite them again (attune invite --replaces NAME)"
                      : "accept a new invitation from your therapist")
              << "; see docs/security/client.md.\n";
  }
  return *engine_;
}

client::Engine& CliContext::Create(const client::AccountInfo& account,
                                   const std::optional<client::ClinicRelay>& relay) {
  const std::string dir = ProfileDir();
  if (client::store::Profile::Exists(dir)) {
    throw CommandError("a profile already exists in " + dir +
                       " (use --profile DIR for another one, or `attune wipe`)");
  }
  // init takes the new passphrase from --passphrase-fd / ATTUNE_PASSPHRASE too.
  crypto::SecretBytes passphrase =
      options.passphrase_fd >= 0 || std::getenv(kPassphraseEnv) != nullptr ? CurrentPassphrase()
                                                                           : NewPassphrase();
  const char* fast = std::getenv(kFastKdfEnv);
  const bool test_fast = fast != nullptr && std::string(fast) == "1";
  if (test_fast) {
    std::cerr << "attune: warning: ATTUNE_TEST_FAST_KDF=1: this profile uses weaker, test-only "
                 "key derivation limits (recorded in its keyparams file)\n";
  }
  engine_ = Take(client::Engine::Create(dir, passphrase.view(),
                                        test_fast ? client::store::KdfStrength::kTestInteractive
                                                  : client::store::KdfStrength::kModerate,
                                        account, relay));
  return *engine_;
}

}  // namespace attune::cli
