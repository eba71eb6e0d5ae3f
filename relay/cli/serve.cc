// `attune-relay serve`: wires config, key, store, committer and server
// together and runs until SIGTERM/SIGINT.
#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <iostream>

#include "admin_commands.h"
#include "asio/io_context.hpp"
#include "asio/signal_set.hpp"
#include "attune/crypto/util.h"
#include "attune/relay/server/config.h"
#include "attune/relay/server/key_file.h"
#include "attune/relay/server/log.h"
#include "attune/relay/server/server.h"
#include "attune/relay/store/group_commit.h"
#include "attune/relay/store/pg_listener.h"
#include "store_open.h"

namespace attune::relay::cli {
namespace {

// How long a cluster node waits for its LISTEN connection before it serves.
constexpr std::chrono::seconds kFirstListenTimeout{10};

// Thousands of connections need thousands of descriptors: raise the soft
// limit to the hard limit (never above it; that needs privileges).
rlim_t RaiseFileLimit() {
  struct rlimit rl {};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
  }
  return rl.rlim_cur;
}

std::string FormatEndpoint(const asio::ip::tcp::endpoint& ep) {
  const auto addr = ep.address();
  std::string host = addr.to_string();
  if (addr.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

}  // namespace

int Serve(const std::string& config_path) {
  auto config = LoadConfigFile(config_path);
  if (!config.ok()) {
    PrintError(config.error().message);
    return kExitError;
  }
  SetLogLevel(config->log_level);
  if (!crypto::Init().ok()) {
    PrintError("cannot initialise libsodium");
    return kExitError;
  }
  std::signal(SIGPIPE, SIG_IGN);
  const rlim_t files = RaiseFileLimit();
  if (files != RLIM_INFINITY && files < config->limits.max_connections + 64) {
    Log(LogLevel::kWarn, "open file limit " + std::to_string(files) +
                             " is below max_connections; raise LimitNOFILE");
  }

  auto key = ReadKeyFile(KeyFilePath(config->data_dir));
  if (!key.ok()) {
    PrintError(key.error().message);
    return kExitError;
  }
  const std::string public_key_hex = ToHex(key->public_key);
  auto lock = LockDataDir(config->data_dir);
  if (!lock.ok()) {
    PrintError(lock.error().message);
    return kExitError;
  }
  // The lock descriptor stays open (and locked) until the process exits.
  // Writer and reader: two connections, so reads never wait for a commit
  // (SQLite: WAL; PostgreSQL: MVCC).
  auto store = OpenConfiguredStore(*config, *key, StoreRole::kWriter);
  if (!store.ok()) {
    PrintError(store.error().message);
    return kExitError;
  }
  auto read_store = OpenConfiguredStore(*config, *key, StoreRole::kReader);
  if (!read_store.ok()) {
    PrintError(read_store.error().message);
    return kExitError;
  }
  // Cluster mode: the LISTEN connection that hears the other nodes.
  std::unique_ptr<PgNotificationListener> listener;
  if (store->pg != nullptr) {
    PgMailboxStore* writer = store->pg;
    listener = std::make_unique<PgNotificationListener>(config->store.conninfo, *store->tagger,
                                                        [writer] { return writer->backend_pid(); });
  }

  asio::io_context io(1);
  GroupCommitter committer(*store->store);
  GroupCommitter reader(*read_store->store, GroupCommitter::kDefaultMaxBatch,
                        GroupCommitter::Mode::kReadOnly);
  committer.Start();
  reader.Start();
  int status = kExitOk;
  {
    RelayServer server(io, *config, std::move(key).value(), committer, &reader);
    if (listener) {
      server.AttachNotifier(*listener);
      // Clients only once this node hears the others: an eviction (rotate,
      // delete) sent before the first LISTEN is lost for good. The writer
      // already reached the database, so this is one more connection.
      if (!listener->WaitUntilListening(kFirstListenTimeout)) {
        Log(LogLevel::kWarn,
            "not yet listening for the other nodes' notifications; serving anyway");
      }
    }
    auto endpoint = server.Listen();
    if (!endpoint.ok()) {
      PrintError(endpoint.error().message);
      if (listener) listener->Stop();
      committer.Stop();
      reader.Stop();
      return kExitError;
    }
    std::cout << "public key " << public_key_hex << "\n"
              << "listening on " << FormatEndpoint(*endpoint) << std::endl;
    Log(LogLevel::kInfo, "listening on " + FormatEndpoint(*endpoint));

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const std::error_code& ec, int) {
      if (ec) return;
      Log(LogLevel::kInfo, "shutting down");
      server.Shutdown([&] {
        std::error_code ignored;
        signals.cancel(ignored);
      });
    });
    io.run();
    // No notifier callback may post to the server after this.
    if (listener) listener->Stop();
    // Storage work still queued commits now; its completions (posted to the
    // io_context) run once more so nothing refers to the server afterwards.
    committer.Stop();
    reader.Stop();
    io.restart();
    io.poll();
    const auto stats = server.stats();
    const auto writes = committer.stats();
    const auto reads = reader.stats();
    auto avg = [](uint64_t total, uint64_t n) { return n == 0 ? 0.0 : double(total) / double(n); };
    Log(LogLevel::kInfo,
        "stopped after " + std::to_string(stats.accepted) + " connections, " +
            std::to_string(stats.requests) + " requests; " + std::to_string(writes.batches) +
            " commits of " + std::to_string(avg(writes.operations, writes.batches)) +
            " writes on average, " + std::to_string(avg(writes.busy_ns, writes.batches) / 1e6) +
            " ms each; " + std::to_string(reads.operations) + " reads, " +
            std::to_string(avg(reads.busy_ns, reads.operations) / 1e3) + " us each");
  }
  return status;
}

}  // namespace attune::relay::cli
