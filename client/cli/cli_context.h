// State shared by every `attune` subcommand: global options, the profile
// (opened lazily, once), randomness and output helpers.
//
// Commands report failure by throwing CommandError (only here, in the CLI
// layer; core and client libraries return Status). main() catches it and
// prints one line: "attune: <message>".
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "attune/base/result.h"
#include "attune/client/engine.h"
#include "attune/client/store/profile.h"
#include "attune/crypto/secret.h"

namespace attune::cli {

// Exit statuses (documented in docs/PROTOCOL.md (part client), "Command line").
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitWrongPassphrase = 3;

class CommandError : public std::runtime_error {
 public:
  CommandError(const std::string& message, int exit_code = kExitError)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_ = 0;
};

// Throws CommandError for a failed status.
[[noreturn]] void Fail(const Error& error);
void Check(const Status& status);
template <typename T>
T Take(Result<T> result) {
  if (!result.ok()) Fail(result.error());
  return std::move(result).value();
}

// A contact name as the user would type it in a shell: quoted when it holds
// anything but letters, digits and -_.
std::string ShellWord(std::string_view name);

struct GlobalOptions {
  std::string profile_dir{};   // --profile; empty = default location
  int passphrase_fd = -1;      // --passphrase-fd
  int new_passphrase_fd = -1;  // --new-passphrase-fd (passwd, init)
};

class CliContext {
 public:
  GlobalOptions options{};

  // The profile directory: --profile, else $XDG_DATA_HOME/attune, else
  // ~/.local/share/attune.
  std::string ProfileDir() const;

  // Unlocks the profile (asks for the passphrase) on first use. A wrong
  // passphrase exits with kExitWrongPassphrase.
  client::Engine& Open();

  // Locks the profile again (the engine and its keys are gone).
  void Close() { engine_.reset(); }

  // For `init`: creates the profile and its account with a new passphrase
  // (asked twice when interactive).
  client::Engine& Create(const client::AccountInfo& account,
                         const std::optional<client::ClinicRelay>& relay);

  // Asks for the existing / a new passphrase per the options (fd, env, tty).
  crypto::SecretBytes CurrentPassphrase();
  crypto::SecretBytes NewPassphrase();

  crypto::RandomSource& random();

 private:
  std::unique_ptr<client::Engine> engine_{};
};

}  // namespace attune::cli
