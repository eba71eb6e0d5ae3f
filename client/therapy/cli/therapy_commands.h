// Therapy subcommands of `attune` (registered from client/cli/main.cc's
// list through RegisterTherapyCommands, declared in client/cli/commands.h):
//   client:    checkin THERAPIST, due
//   therapist: checkins CLIENT, ack CLIENT, schedule CLIENT, hours, resources
// Shared helpers for those files.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "attune/client/account.h"
#include "attune/therapy/time_zone.h"
#include "cli_context.h"

namespace attune::cli {

void RegisterCheckInCommands(CLI::App& app, CliContext& ctx);
void RegisterPracticeCommands(CLI::App& app, CliContext& ctx);

// Throws CommandError unless the profile has this role.
void RequireRole(client::Context& c, client::Role role, const char* command);

// This device's zone (TZ, /etc/localtime), UTC if it cannot be loaded.
std::unique_ptr<therapy::TimeZoneRules> DeviceZone();
// A named zone, UTC for an empty name; CommandError if unknown.
std::unique_ptr<therapy::TimeZoneRules> ZoneNamed(const std::string& name);

// "Tue 2026-03-10 20:00 (America/New_York)".
std::string FormatInZone(const therapy::TimeZoneRules& zone, int64_t utc);

// Uploads the outbox; prints a line saying whether it went out or stays
// queued for `attune sync`.
void FlushAndReport(client::Context& c, const std::string& what);

}  // namespace attune::cli
