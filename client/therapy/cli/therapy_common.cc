#include <iostream>

#include "attune/client/messaging.h"
#include "attune/client/relay_pool.h"
#include "attune/client/therapy/tzif.h"
#include "commands.h"
#include "therapy_commands.h"

namespace attune::cli {

void RegisterTherapyCommands(CLI::App& app, CliContext& ctx) {
  RegisterCheckInCommands(app, ctx);
  RegisterPracticeCommands(app, ctx);
}

void RequireRole(client::Context& c, client::Role role, const char* command) {
  client::AccountInfo account = Take(client::LoadAccount(c.db()));
  if (account.role != role) {
    throw CommandError(std::string("`attune ") + command + "` is for " +
                       (role == client::Role::kTherapist ? "therapists" : "clients") +
                       "; this profile is a " + client::RoleName(account.role) + "'s");
  }
}

std::unique_ptr<therapy::TimeZoneRules> DeviceZone() {
  auto zone = therapy::LoadTimeZone(therapy::LocalTimeZoneName());
  if (zone.ok()) return std::move(zone).value();
  return std::make_unique<therapy::FixedOffsetZone>(0, "UTC");
}

std::unique_ptr<therapy::TimeZoneRules> ZoneNamed(const std::string& name) {
  if (name.empty() || name == "UTC") return std::make_unique<therapy::FixedOffsetZone>(0, "UTC");
  return Take(therapy::LoadTimeZone(name));
}

std::string FormatInZone(const therapy::TimeZoneRules& zone, int64_t utc) {
  const therapy::LocalTime local = therapy::ToLocal(zone, utc);
  return std::string(therapy::WeekdayShortName(therapy::WeekdayFromDays(therapy::DayOf(local)))) +
         " " + therapy::FormatLocalMinute(local) + " (" + std::string(zone.name()) + ")";
}

void FlushAndReport(client::Context& c, const std::string& what) {
  client::RelayPool pool(c.random);
  const client::FlushReport report = client::FlushOutbox(c, pool);
  if (report.pending == 0 && report.last_error.empty()) {
    std::cout << what << " sent.\n";
  } else {
    std::cout << what << " saved and queued (relay: "
              << (report.last_error.empty() ? "not reachable" : report.last_error)
              << "); `attune sync` will send it.\n";
  }
}

}  // namespace attune::cli
