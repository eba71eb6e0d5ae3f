// sync, watch: the engine fetches and answers; these print its events.
#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

#include "attune/client/content_view.h"
#include "attune/client/engine.h"
#include "commands.h"
#include "event_printer.h"

namespace attune::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int) { g_stop.store(true); }

}  // namespace

void RegisterSyncCommands(CLI::App& app, CliContext& ctx) {
  auto quiet_ms = std::make_shared<int>(1500);
  CLI::App* sync = app.add_subcommand(
      "sync", "Send what is queued, fetch what is waiting on the relay, then exit");
  sync->add_option("--quiet-ms", *quiet_ms,
                   "Stop after this many milliseconds without a new message (default 1500)")
      ->check(CLI::Range(100, 60000));
  sync->callback([&ctx, quiet_ms] {
    client::Engine& engine = ctx.Open();
    auto printer = std::make_shared<EventPrinter>(/*show_connection=*/false);
    const uint64_t id = engine.Subscribe(printer);
    client::SyncOptions options;
    options.quiet = std::chrono::milliseconds(*quiet_ms);
    auto report = engine.SyncOnce(options);
    engine.Unsubscribe(id);
    const client::SyncReport r = Take(std::move(report));
    // "new": what a person reads (texts, check-ins, new contacts); receipts
    // and practice updates are not counted.
    std::cout << r.new_messages + r.paired << " new, " << r.sent << " sent";
    if (r.practice_updates > 0) std::cout << ", " << r.practice_updates << " practice update(s)";
    if (r.pending > 0) std::cout << ", " << r.pending << " still queued";
    std::cout << "." << std::endl;
  });

  auto seconds = std::make_shared<int>(0);
  CLI::App* watch = app.add_subcommand(
      "watch", "Stay connected and print messages as they arrive (Ctrl-C to stop)");
  watch->add_option("--for", *seconds, "Stop after this many seconds (default: until Ctrl-C)")
      ->check(CLI::Range(0, 86400 * 365));
  watch->callback([&ctx, seconds] {
    client::Engine& engine = ctx.Open();
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
    std::cout << "Watching for messages (Ctrl-C to stop)." << std::endl;
    const uint64_t id = engine.Subscribe(std::make_shared<EventPrinter>(/*show_connection=*/true));
    Check(engine.StartBackgroundSync());
    const auto start = std::chrono::steady_clock::now();
    while (!g_stop.load() && (*seconds == 0 || std::chrono::steady_clock::now() - start <
                                                   std::chrono::seconds(*seconds))) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    engine.StopBackgroundSync();
    engine.Unsubscribe(id);
  });
}

}  // namespace attune::cli
