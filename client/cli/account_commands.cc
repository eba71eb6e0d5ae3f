// init, passwd, wipe.
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "attune/client/engine.h"
#include "attune/client/enrollment.h"
#include "attune/client/routing.h"
#include "attune/client/store/profile.h"
#include "commands.h"
#include "passphrase.h"

namespace attune::cli {
namespace {

struct InitOptions {
  std::string role{};
  std::string name{};
  std::string relay{};
  std::string relay_key{};
  std::string credential_file{};
  int credential_fd = -1;
  std::string enrollment{};
};

// `--enrollment FILE`, or `-` to paste it at a prompt without echo. The code
// holds the clinic credential, so it never travels on the command line.
client::ClinicRelay RelayFromEnrollment(const std::string& where) {
  if (where.rfind("attune-enroll1:", 0) == 0) {
    throw CommandError(
        "the enrollment code holds a secret: save it to a file and pass --enrollment FILE, or "
        "pass --enrollment - and paste it at the prompt");
  }
  crypto::SecretBytes text = where == "-"
                                 ? Take(PromptSecret("Enrollment code: ", "the enrollment code"))
                                 : Take(ReadSecretFile(where, "the enrollment file"));
  return Take(client::ParseEnrollmentCode(AsStringView(text.view())));
}

void RunInit(CliContext& ctx, const InitOptions& o) {
  client::Role role = Take(client::ParseRole(o.role));
  client::AccountInfo info{role, o.name};
  Check(client::ValidateDisplayName(o.name));
  std::optional<client::ClinicRelay> relay;
  const bool manual = !o.relay.empty() || !o.relay_key.empty() || !o.credential_file.empty() ||
                      o.credential_fd >= 0;
  if (role == client::Role::kTherapist && !o.enrollment.empty()) {
    if (manual) throw CommandError("--enrollment already holds the relay; drop --relay");
    relay = RelayFromEnrollment(o.enrollment);
  } else if (role == client::Role::kTherapist) {
    if (o.relay.empty() || o.relay_key.empty()) {
      throw CommandError(
          "a therapist needs --enrollment FILE (from the clinic's admin), or --relay HOST:PORT, "
          "--relay-key HEX and the clinic credential "
          "(--credential-file FILE, --credential-fd N or the prompt; never on the command line)");
    }
    auto [host, port] = Take(client::ParseHostPort(o.relay));
    client::ClinicRelay r;
    r.endpoint.host = host;
    r.endpoint.port = port;
    r.endpoint.relay_public_key = Take(client::ParseHexKey32(o.relay_key, "--relay-key"));
    crypto::SecretBytes text =
        o.credential_fd >= 0         ? Take(ReadSecretLineFromFd(o.credential_fd, "the credential"))
        : !o.credential_file.empty() ? Take(ReadSecretFile(o.credential_file))
                                     : Take(PromptSecret("Clinic credential: ", "the credential"));
    ByteArray<32> credential =
        Take(client::ParseHexKey32(AsStringView(text.view()), "the credential"));
    r.credential = crypto::SecretArray<32>(credential);
    crypto::SecureZero(credential.data(), credential.size());
    relay = std::move(r);
  } else if (manual || !o.enrollment.empty()) {
    throw CommandError("a client gets its relay from the therapist's invitation; drop --relay");
  }
  ctx.Create(info, relay);
  std::cout << "Created " << client::RoleName(role) << " profile \"" << o.name << "\" in "
            << ctx.ProfileDir() << "\n";
}

}  // namespace

void RegisterAccountCommands(CLI::App& app, CliContext& ctx) {
  auto init_opts = std::make_shared<InitOptions>();
  CLI::App* init = app.add_subcommand("init", "Create a profile (asks for a new passphrase)");
  init->add_option("--role", init_opts->role, "therapist or client")->required();
  init->add_option("--name", init_opts->name,
                   "Your display name, shown to the people you pair with")
      ->required();
  init->add_option("--relay", init_opts->relay, "Therapists: the clinic relay, HOST:PORT");
  init->add_option(
      "--relay-key", init_opts->relay_key,
      "Therapists: the relay's public key (64 hex digits, from `attune-relay keygen`)");
  init->add_option("--credential-file", init_opts->credential_file,
                   "Therapists: file holding the clinic credential (from `attune-relay "
                   "credential issue`)");
  init->add_option("--credential-fd", init_opts->credential_fd,
                   "Therapists: read the clinic credential from this file descriptor");
  init->add_option("--enrollment", init_opts->enrollment,
                   "Therapists: file holding the clinic's enrollment code (from `attune-relay "
                   "enrollment issue`), or - to paste it");
  init->callback([&ctx, init_opts] { RunInit(ctx, *init_opts); });

  CLI::App* passwd = app.add_subcommand("passwd", "Change the profile's passphrase (re-encrypts)");
  passwd->callback([&ctx] {
    client::Engine& engine = ctx.Open();
    crypto::SecretBytes next = ctx.NewPassphrase();
    // Test-only: ATTUNE_TEST_PASSWD_CRASH_AFTER=N ends the process like a
    // power cut right after step N (crash-recovery tests).
    const char* crash = std::getenv("ATTUNE_TEST_PASSWD_CRASH_AFTER");
    int crash_step = 0;  // 0: never (steps count from 1); unparsable is 0 too
    if (crash != nullptr) std::from_chars(crash, crash + std::strlen(crash), crash_step);
    Check(engine.ChangePassphrase(next.view(), [crash_step](int step) {
      if (step == crash_step) ::_exit(99);
    }));
    std::cout << "Passphrase changed.\n";
  });

  auto yes = std::make_shared<bool>(false);
  CLI::App* wipe = app.add_subcommand(
      "wipe", "Delete this profile: keys, contacts and history (cannot be undone)");
  wipe->add_flag("--yes", *yes, "Do not ask for confirmation");
  wipe->callback([&ctx, yes] {
    const std::string dir = ctx.ProfileDir();
    if (!client::store::Profile::Exists(dir)) throw CommandError("no profile in " + dir);
    // Proves the passphrase first (a damaged profile may still be wiped).
    try {
      ctx.Open();
    } catch (const CommandError& e) {
      if (e.exit_code() == kExitWrongPassphrase) throw;
      std::cerr << "attune: the profile does not open (" << e.what() << "); wiping it anyway\n";
    }
    if (!*yes) {
      if (!::isatty(0)) {
        throw CommandError(
            "refusing to wipe without --yes (no terminal to ask). Export what you need first: "
            "attune export NAME > NAME.json");
      }
      std::cout << "This deletes every key, contact and message in " << dir
                << " for good; nobody can recover them.\n"
                   "Keep a record first if you need one: attune export NAME > NAME.json\n"
                   "Type \"wipe\" to delete the profile: "
                << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "wipe") throw CommandError("not wiped");
    }
    ctx.Close();
    Check(client::store::Profile::Wipe(dir));
    std::cout << "Profile deleted.\n";
  });
}

}  // namespace attune::cli
