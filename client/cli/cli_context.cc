#include "cli_context.h"

#include <cctype>
#include <cstdlib>
#include <iostream>

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

[[noreturn]] void Fail(const Error& error) {
  throw CommandError(error.message,
                     error.code == ErrorCode::kAuthFailed &&
                             std::string_view(error.message).starts_with("wrong passphrase")
                         ? kExitWrongPassphrase
                         : kExitError);
}

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
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && *xdg == '/') return std::string(xdg) + "/attune";
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home != '/') {
    throw CommandError("cannot find a home directory; pass --profile DIR");
  }
  return std::string(home) + "/.local/share/attune";
}

crypto::RandomSource& CliContext::random() { return crypto::SystemRandom(); }

crypto::SecretBytes CliContext::CurrentPassphrase() {
  return Acquire(options.passphrase_fd, kPassphraseEnv, "Passphrase: ", false);
}

crypto::SecretBytes CliContext::NewPassphrase() {
  return Acquire(options.new_passphrase_fd, kNewPassphraseEnv, "New passphrase: ", true);
}

client::Context& CliContext::Open() {
  if (context_) return *context_;
  const std::string dir = ProfileDir();
  if (!client::store::Profile::Exists(dir)) {
    throw CommandError("no profile in " + dir + " (create one with `attune init`)");
  }
  crypto::SecretBytes passphrase = CurrentPassphrase();
  profile_.emplace(Take(client::store::Profile::Open(dir, passphrase.view())));
  if (profile_->rollback_detected()) {
    std::cerr << "attune: WARNING: this profile's database is older than the last one used "
                 "(restored from a backup?). Sending is disabled for every contact until you "
                 "pair again; see docs/security/client.md.\n";
  }
  context_ = std::make_unique<client::Context>(client::Context{*profile_, random()});
  return *context_;
}

client::store::Profile& CliContext::profile() { return Open().profile; }

client::Context& CliContext::Create() {
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
  profile_.emplace(
      Take(client::store::Profile::Create(dir, passphrase.view(),
                                          test_fast ? client::store::KdfStrength::kTestInteractive
                                                    : client::store::KdfStrength::kModerate,
                                          random())));
  context_ = std::make_unique<client::Context>(client::Context{*profile_, random()});
  return *context_;
}

}  // namespace attune::cli
