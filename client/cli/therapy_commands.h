// Therapy subcommands of `attune` (registered through RegisterTherapyCommands,
// declared in commands.h):
//   client:    checkin THERAPIST, due, practice THERAPIST
//   therapist: checkins CLIENT, ack CLIENT, schedule CLIENT, hours, resources
// Shared helpers for those files. Every rule lives in the engine; these
// files parse arguments and print.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "attune/client/engine.h"
#include "attune/therapy/time_zone.h"
#include "cli_context.h"

namespace attune::cli {

void RegisterCheckInCommands(CLI::App& app, CliContext& ctx);
void RegisterPracticeCommands(CLI::App& app, CliContext& ctx);

// Throws CommandError unless the profile has this role.
void RequireRole(client::Engine& engine, client::Role role, const char* command);

// A named zone, UTC for an empty name or "UTC"; CommandError naming the
// zone if this device does not know it.
std::unique_ptr<therapy::TimeZoneRules> ZoneNamed(const std::string& name);

// One line saying whether a push or send went out or stays queued.
void ReportPush(const client::PushReport& report, const std::string& what);

}  // namespace attune::cli
