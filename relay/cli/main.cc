// attune-relay: the Attune store-and-forward relay and its admin commands.
// Usage and output formats: docs/PROTOCOL.md (part mailbox) §7.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "admin_commands.h"

int main(int argc, char** argv) {
  using namespace attune::relay::cli;
  try {
    CLI::App app{"attune-relay: store-and-forward relay for Attune (holds only ciphertext)"};
    app.require_subcommand(1);

    std::string data_dir;
    std::string store_config;
    // Credential commands work on the SQLite file in --data-dir or on the
    // store a relay config names (--config; a cluster's PostgreSQL).
    auto store_options = [&](CLI::App* cmd) {
      auto* dir = cmd->add_option("--data-dir", data_dir, "Data directory (SQLite store)");
      auto* cfg = cmd->add_option("--config", store_config, "Relay config naming the store");
      dir->excludes(cfg);
      cmd->require_option(1, 2);
    };
    auto* keygen =
        app.add_subcommand("keygen", "Create the relay's static key; print its public key");
    keygen->add_option("--data-dir", data_dir, "Data directory")->required();

    auto* pubkey = app.add_subcommand("pubkey", "Print the relay's public key");
    pubkey->add_option("--data-dir", data_dir, "Data directory")->required();

    auto* credential = app.add_subcommand("credential", "Manage clinic credentials");
    credential->require_subcommand(1);
    uint64_t uses = kDefaultCredentialUses;
    uint64_t days = kDefaultCredentialDays;
    int64_t revoke_id = 0;
    auto* issue = credential->add_subcommand(
        "issue", "Mint a credential; prints its token once (only its hash is stored)");
    store_options(issue);
    issue->add_option("--uses", uses, "Mailbox creations + ticket issues allowed")
        ->capture_default_str();
    issue->add_option("--expires-in", days, "Days until it expires")->capture_default_str();
    auto* list = credential->add_subcommand("list", "List credentials");
    store_options(list);
    auto* revoke = credential->add_subcommand("revoke", "Revoke a credential and its tickets");
    store_options(revoke);
    revoke->add_option("ID", revoke_id, "Credential id (see `credential list`)")->required();

    auto* enrollment = app.add_subcommand(
        "enrollment", "Enrollment codes for therapists' first run (address, key, credential)");
    enrollment->require_subcommand(1);
    std::string address;
    std::string out_file;
    auto* enroll = enrollment->add_subcommand(
        "issue", "Mint a credential; print one enrollment code holding it (or write it to --out)");
    // As store_options, without its option count (this command has more).
    enroll->add_option("--data-dir", data_dir, "Data directory (SQLite store)")
        ->excludes(enroll->add_option("--config", store_config, "Relay config naming the store"));
    enroll->add_option("--address", address, "HOST:PORT as therapists reach this relay")
        ->required();
    enroll->add_option("--uses", uses, "Mailbox creations + ticket issues allowed")
        ->capture_default_str();
    enroll->add_option("--expires-in", days, "Days until it expires")->capture_default_str();
    enroll->add_option("--out", out_file, "Write the code to this new file (mode 0600)");

    std::string config_path;
    auto* serve = app.add_subcommand("serve", "Run the relay");
    serve->add_option("--config", config_path, "TOML configuration file")->required();

    auto* db = app.add_subcommand("db", "Manage the relay's database");
    db->require_subcommand(1);
    auto* migrate = db->add_subcommand("migrate", "Create or upgrade the database schema");
    migrate->add_option("--config", config_path, "TOML configuration file")->required();

    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) return app.exit(e);
      PrintError(e.what());
      return kExitUsage;
    }

    if (*keygen) return Keygen(data_dir);
    if (*pubkey) return PrintPublicKey(data_dir);
    const StoreLocation where{data_dir, store_config};
    if (*issue) return CredentialIssue(where, uses, days);
    if (*enroll && data_dir.empty() && store_config.empty()) {
      PrintError("enrollment issue needs --data-dir DIR or --config FILE");
      return kExitUsage;
    }
    if (*enroll) return EnrollmentIssue(where, address, uses, days, out_file);
    if (*list) return CredentialList(where);
    if (*revoke) return CredentialRevoke(where, revoke_id);
    if (*serve) return Serve(config_path);
    if (*migrate) return DbMigrate(config_path);
    PrintError("no command");
    return kExitUsage;
  } catch (const std::exception& e) {
    PrintError(e.what());
    return kExitError;
  } catch (...) {
    PrintError("unexpected internal error");
    return kExitError;
  }
}
