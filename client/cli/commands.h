// The `attune` subcommands. Each group lives in its own file and registers
// its subcommands on the app with one function; main.cc calls every
// Register*Commands function from ONE list (kCommandGroups in main.cc).
//
// To add a group: write client/cli/<group>_commands.cc defining
//   void Register<Group>Commands(CLI::App& app, CliContext& ctx);
// declare it below, add it to kCommandGroups in main.cc and to the sources
// in client/cli/CMakeLists.txt. A subcommand's callback does its work with
// ctx (ctx.Open() unlocks the profile) and throws CommandError (via
// Fail/Check/Take from cli_context.h) to exit with one clear line.
#pragma once

#include <CLI/CLI.hpp>

#include "cli_context.h"

namespace attune::cli {

// init, passwd, wipe
void RegisterAccountCommands(CLI::App& app, CliContext& ctx);
// invite, accept, contacts, verify
void RegisterPairingCommands(CLI::App& app, CliContext& ctx);
// send, inbox, history
void RegisterMessageCommands(CLI::App& app, CliContext& ctx);
// export (JSON)
void RegisterExportCommands(CLI::App& app, CliContext& ctx);
// sync, watch
void RegisterSyncCommands(CLI::App& app, CliContext& ctx);
// checkin, due, practice, checkins, ack, schedule, hours, resources
// (therapy_commands.h)
void RegisterTherapyCommands(CLI::App& app, CliContext& ctx);

}  // namespace attune::cli
