// sync, watch.
#include <atomic>
#include <csignal>
#include <iostream>

#include "attune/client/content_view.h"
#include "attune/client/sync.h"
#include "commands.h"
#include "therapy_state.h"
#include "time_format.h"

namespace attune::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int) { g_stop.store(true); }

void PrintEvent(const client::ReceivedEvent& e, uint64_t now) {
  using Kind = client::ReceivedEvent::Kind;
  const std::string who = client::SanitizeForTerminal(e.contact_name);
  switch (e.kind) {
    case Kind::kMessage:
      std::cout << FormatTime(now) << "  " << who << ": " << client::ContentSummary(e.content)
                << std::endl;
      break;
    case Kind::kPaired:
      std::cout << "Paired with " << who << " (compare safety numbers: attune verify "
                << ShellWord(who) << ")" << std::endl;
      if (e.identity_changed) {
        std::cout << "WARNING: " << who
                  << "'s identity key changed; sending is disabled until you verify again."
                  << std::endl;
      }
      break;
    case Kind::kDuplicate:
      break;
    case Kind::kDropped:
      std::cerr << "attune: warning: " << e.reason << std::endl;
      break;
  }
}

}  // namespace

void RegisterSyncCommands(CLI::App& app, CliContext& ctx) {
  auto quiet_ms = std::make_shared<int>(1500);
  CLI::App* sync = app.add_subcommand(
      "sync", "Send what is queued, fetch what is waiting on the relay, then exit");
  sync->add_option("--quiet-ms", *quiet_ms,
                   "Stop after this many milliseconds without a new message (default 1500)")
      ->check(CLI::Range(100, 60000));
  sync->callback([&ctx, quiet_ms] {
    client::Context& c = ctx.Open();
    client::RelayPool pool(c.random);
    client::SyncOptions options;
    options.quiet = std::chrono::milliseconds(*quiet_ms);
    auto report = Take(client::SyncOnce(c, pool, options, [&](const client::ReceivedEvent& e) {
      // Therapy: delivery receipts, urgent check-ins shown prominently.
      if (!HandleTherapyEvent(c, e)) PrintEvent(e, c.now());
    }));
    std::cout << report.received << " new, " << report.flush.sent << " sent";
    if (report.flush.pending > 0) std::cout << ", " << report.flush.pending << " still queued";
    std::cout << "." << std::endl;
  });

  auto seconds = std::make_shared<int>(0);
  CLI::App* watch = app.add_subcommand(
      "watch", "Stay connected and print messages as they arrive (Ctrl-C to stop)");
  watch->add_option("--for", *seconds, "Stop after this many seconds (default: until Ctrl-C)")
      ->check(CLI::Range(0, 86400 * 365));
  watch->callback([&ctx, seconds] {
    client::Context& c = ctx.Open();
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
    client::WatchOptions options;
    options.duration = std::chrono::seconds(*seconds);
    std::cout << "Watching for messages (Ctrl-C to stop)." << std::endl;
    Check(client::Watch(
        c, options, &g_stop,
        [&](const client::ReceivedEvent& e) {
          if (!HandleTherapyEvent(c, e)) PrintEvent(e, c.now());
        },
        [](const std::string& s) { std::cerr << "attune: " << s << std::endl; }));
  });
}

}  // namespace attune::cli
