// attune-relay-bench: load generator for attune-relay (issue 4, item 8).
//
//   attune-relay-bench [--mode all|throughput|offline|idle] [options]
//
// By default it starts its own relay (temp data dir, keygen, a credential,
// `serve` on 127.0.0.1 port 0) from --relay-binary; with --attach it measures
// a relay that is already running (RSS/CPU figures need --relay-pid). The
// credential of an attached relay is read from a file, never from argv.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "attune/crypto/util.h"
#include "modes.h"
#include "relay_process.h"

namespace {

using namespace attune;
using attune::bench::RelayTarget;

void RaiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  ::getrlimit(RLIMIT_NOFILE, &limit);
  std::printf("open file limit              %llu\n",
              static_cast<unsigned long long>(limit.rlim_cur));
}

bool Hex32(const std::string& text, MutableByteView out) {
  auto bytes = FromHex(text);
  if (!bytes || bytes->size() != 32) return false;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  crypto::SecureZero(bytes->data(), bytes->size());
  return true;
}

// The relay next to this executable's build (baked in by CMake), else PATH.
std::string DefaultRelayBinary() {
#ifdef ATTUNE_RELAY_BUILD_BINARY
  if (std::filesystem::exists(ATTUNE_RELAY_BUILD_BINARY)) return ATTUNE_RELAY_BUILD_BINARY;
#endif
  return "attune-relay";
}

}  // namespace

static int Run(int argc, char** argv) {
  CLI::App app{
      "attune-relay-bench: throughput, latency, offline drain and idle memory of "
      "attune-relay"};
  std::string mode = "all";
  std::string relay_binary = DefaultRelayBinary();
  std::string attach, relay_key, credential_file;
  int relay_pid = 0;
  std::vector<std::string> relay_limits;
  bench::ThroughputOptions throughput;
  bench::OfflineOptions offline;
  bench::IdleOptions idle;
  app.add_option("--mode", mode, "all | throughput | offline | idle")
      ->check(CLI::IsMember({"all", "throughput", "offline", "idle"}))
      ->capture_default_str();
  app.add_option("--relay-binary", relay_binary, "attune-relay to start")->capture_default_str();
  auto* attach_opt =
      app.add_option("--attach", attach, "measure a running relay at IP:PORT instead");
  app.add_option("--relay-key", relay_key, "its public key (64 hex), with --attach")
      ->needs(attach_opt);
  app.add_option("--credential-file", credential_file,
                 "file holding a credential token (64 hex), with --attach")
      ->needs(attach_opt);
  app.add_option("--relay-pid", relay_pid, "its PID, for RSS and CPU figures")->needs(attach_opt);
  app.add_option("--relay-limit", relay_limits,
                 "KEY=VALUE for the started relay's [limits] table (repeatable), e.g. "
                 "delivery_window=1024");
  app.add_option("--pairs", throughput.pairs, "sender->receiver pairs")->capture_default_str();
  app.add_option("--window", throughput.window, "messages in flight per pair")
      ->capture_default_str();
  app.add_option("--seconds", throughput.seconds, "measured duration")->capture_default_str();
  app.add_option("--warmup", throughput.warmup_seconds, "warmup before measuring")
      ->capture_default_str();
  app.add_option("--blob-size", throughput.blob_size, "blob bytes (>= 16)")->capture_default_str();
  app.add_option("--offline-messages", offline.messages, "messages queued in offline mode")
      ->capture_default_str();
  app.add_option("--idle-connections", idle.connections, "connections in idle mode")
      ->capture_default_str();
  std::string pg_connection, pg_password_file;
  int pg_pid = 0;
  size_t nodes = 1;
  app.add_option("--pg-connection", pg_connection,
                 "started relays use this PostgreSQL database (libpq string, no password)");
  app.add_option("--pg-password-file", pg_password_file, "pgpass file for --pg-connection");
  app.add_option("--pg-pid", pg_pid, "the PostgreSQL postmaster's PID, for its CPU figures");
  app.add_option("--nodes", nodes,
                 "relay nodes to start on --pg-connection (1 or 2; with 2, "
                 "senders use node 1 and receivers node 2)")
      ->check(CLI::Range(1, 2));
  CLI11_PARSE(app, argc, argv);
  offline.blob_size = throughput.blob_size;

  if (!crypto::Init().ok()) {
    std::fprintf(stderr, "attune-relay-bench: error: libsodium failed to initialise\n");
    return 1;
  }
  RaiseFileLimit();

  std::unique_ptr<bench::SpawnedRelay> spawned;
  std::unique_ptr<bench::SpawnedRelay> second;
  RelayTarget cluster_target;
  RelayTarget attached;
  const RelayTarget* target = nullptr;
  if (!attach.empty()) {
    static const std::regex kAddress(R"(^(\d+\.\d+\.\d+\.\d+):(\d+)$)");
    std::smatch m;
    std::ifstream in(credential_file);
    std::string token;
    in >> token;
    if (!std::regex_match(attach, m, kAddress) ||
        !Hex32(relay_key, attached.endpoint.relay_public_key) ||
        !Hex32(token, attached.credential.mutable_span())) {
      std::fprintf(stderr,
                   "attune-relay-bench: error: --attach needs IPv4:PORT, --relay-key (64 hex) "
                   "and --credential-file (64 hex)\n");
      crypto::SecureZero(token.data(), token.size());
      return 2;
    }
    crypto::SecureZero(token.data(), token.size());
    attached.endpoint.host = m[1].str();
    attached.endpoint.port = static_cast<uint16_t>(std::stoi(m[2].str()));
    attached.pid = relay_pid;
    target = &attached;
  } else {
    // Quotas are raised so that 10,000 queued messages fit one mailbox.
    std::string toml =
        "[mailbox]\nmax_messages_per_mailbox = 1000000\n"
        "max_bytes_per_mailbox = 1073741824\n";
    if (!pg_connection.empty()) {
      toml += "\n[store]\nbackend = \"postgres\"\nconnection = \"" + pg_connection + "\"\n";
      if (!pg_password_file.empty()) toml += "password_file = \"" + pg_password_file + "\"\n";
    }
    auto relay = bench::SpawnedRelay::Start(relay_binary, relay_limits, toml);
    if (!relay.ok()) {
      std::fprintf(stderr, "attune-relay-bench: error: %s\n", relay.error().message.c_str());
      return 1;
    }
    spawned = std::move(*relay);
    if (nodes == 2 && !pg_connection.empty()) {
      auto node2 = bench::SpawnedRelay::Start(relay_binary, relay_limits, toml, spawned.get());
      if (!node2.ok()) {
        std::fprintf(stderr, "attune-relay-bench: error: %s\n", node2.error().message.c_str());
        return 1;
      }
      second = std::move(*node2);
    }
    cluster_target.endpoint = spawned->target().endpoint;
    cluster_target.credential = spawned->target().credential.Clone();
    cluster_target.pid = spawned->target().pid;
    cluster_target.postgres_pid = pg_pid;
    if (second) {
      cluster_target.receiver_endpoint = second->target().endpoint;
      cluster_target.receiver_pid = second->target().pid;
      std::printf("relay node 2                 pid %d, %s:%u\n", second->target().pid,
                  second->target().endpoint.host.c_str(), second->target().endpoint.port);
    }
    target = &cluster_target;
    std::printf("relay                        %s (pid %d, %s:%u, data in %s)\n",
                relay_binary.c_str(), target->pid, target->endpoint.host.c_str(),
                target->endpoint.port, spawned->dir().c_str());
  }

  int rc = 0;
  if (mode == "all" || mode == "throughput") rc |= bench::RunThroughput(*target, throughput);
  if (mode == "all" || mode == "offline") rc |= bench::RunOffline(*target, offline);
  if (mode == "all" || mode == "idle") rc |= bench::RunIdle(*target, idle);
  return rc;
}

// A bench that throws (std::stoi on a port out of range, a failed
// allocation) says why and fails, instead of std::terminate's abort.
int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attune-relay-bench: error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "attune-relay-bench: error: unknown exception\n");
  }
  return 1;
}
