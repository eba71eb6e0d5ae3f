// attune: the end-to-end encrypted therapy messenger's command line.
//
// Every failure ends with one line on stderr ("attune: ...") and a non-zero
// exit status; nothing escapes main as an exception or an abort.
#include <csignal>
#include <exception>
#include <iostream>

#include "attune/client/process_hardening.h"
#include "attune/crypto/util.h"
#include "commands.h"

namespace {

using Register = void (*)(CLI::App&, attune::cli::CliContext&);

// THE list of command groups (see commands.h).
constexpr Register kCommandGroups[] = {
    attune::cli::RegisterAccountCommands, attune::cli::RegisterPairingCommands,
    attune::cli::RegisterMessageCommands, attune::cli::RegisterExportCommands,
    attune::cli::RegisterSyncCommands,    attune::cli::RegisterTherapyCommands,
};

}  // namespace

int main(int argc, char** argv) {
  // Before anything is decrypted: a core dump would hold keys and plaintext.
  attune::client::DisableCoreDumps();
  std::signal(SIGPIPE, SIG_IGN);
  try {
    if (!attune::crypto::Init().ok()) {
      std::cerr << "attune: cannot initialise the crypto library\n";
      return attune::cli::kExitError;
    }
    attune::cli::CliContext ctx;
    CLI::App app{"attune: end-to-end encrypted messages between a therapist and their clients"};
    app.require_subcommand(1);
    app.option_defaults()->always_capture_default(false);
    app.add_option("--profile", ctx.options.profile_dir,
                   "Profile directory (default: $XDG_DATA_HOME/attune or ~/.local/share/attune)");
    app.add_option("--passphrase-fd", ctx.options.passphrase_fd,
                   "Read the passphrase as one line from this file descriptor. Without it: "
                   "$ATTUNE_PASSPHRASE (weaker: visible to same-user processes), else a prompt")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--new-passphrase-fd", ctx.options.new_passphrase_fd,
                   "passwd: read the new passphrase from this file descriptor "
                   "(else $ATTUNE_NEW_PASSPHRASE, else a prompt)")
        ->check(CLI::NonNegativeNumber);
    for (Register r : kCommandGroups) r(app, ctx);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      // --help prints and succeeds; every other parse error is a usage error.
      return app.exit(e) == 0 ? attune::cli::kExitOk : attune::cli::kExitUsage;
    }
    return attune::cli::kExitOk;
  } catch (const attune::cli::CommandError& e) {
    std::cerr << "attune: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    std::cerr << "attune: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "attune: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "attune: internal error\n";
  }
  return attune::cli::kExitError;
}
