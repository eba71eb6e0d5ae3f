#include <iostream>

#include "attune/client/content_view.h"
#include "attune/client/therapy/tzif.h"
#include "commands.h"
#include "therapy_commands.h"

namespace attune::cli {

void RegisterTherapyCommands(CLI::App& app, CliContext& ctx) {
  RegisterCheckInCommands(app, ctx);
  RegisterPracticeCommands(app, ctx);
}

void RequireRole(client::Engine& engine, client::Role role, const char* command) {
  const client::Role self = engine.account().role;
  if (self != role) {
    throw CommandError(std::string("`attune ") + command + "` is for " +
                       (role == client::Role::kTherapist ? "therapists" : "clients") +
                       "; this profile is a " + client::RoleName(self) + "'s");
  }
}

std::unique_ptr<therapy::TimeZoneRules> ZoneNamed(const std::string& name) {
  if (name.empty() || name == "UTC") return std::make_unique<therapy::FixedOffsetZone>(0, "UTC");
  auto zone = therapy::LoadTimeZone(name);
  if (!zone.ok()) {
    throw CommandError("unknown time zone \"" + client::SanitizeForTerminal(name) + "\" (" +
                       zone.error().message +
                       "; give an IANA name such as America/New_York or Europe/Berlin)");
  }
  return std::move(zone).value();
}

void ReportPush(const client::PushReport& report, const std::string& what) {
  for (const auto& [name, why] : report.refused) {
    std::cerr << "attune: not sent to " << client::SanitizeForTerminal(name) << ": " << why << "\n";
  }
  if (report.queued == 0) {
    std::cout << "No clients to send the " << what << " to yet.\n";
    return;
  }
  const std::string target = what + " for " + std::to_string(report.queued) + " client(s)";
  if (report.pending == 0 && report.pending_reason.empty()) {
    std::cout << target << " sent.\n";
  } else {
    std::cout << target << " saved and queued ("
              << (report.pending_reason.empty() ? "relay not reachable" : report.pending_reason)
              << "); `attune sync` will send it.\n";
  }
}

}  // namespace attune::cli
