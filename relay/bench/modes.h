// The three measurements of attune-relay-bench (issue 4, item 8). Each
// prints its figures to stdout and returns a process exit code.
#pragma once

#include <cstddef>

#include "relay_process.h"

namespace attune::bench {

struct ThroughputOptions {
  size_t pairs = 50;  // sender -> receiver mailbox pairs (2 connections each)
  size_t window = 1;  // messages in flight per pair (sent, not yet delivered)
  double warmup_seconds = 1;
  double seconds = 5;
  size_t blob_size = 256;
};
int RunThroughput(const RelayTarget& target, const ThroughputOptions& options);

struct OfflineOptions {
  size_t messages = 10000;
  size_t send_window = 256;  // pipelined sends while queueing
  size_t blob_size = 256;
};
int RunOffline(const RelayTarget& target, const OfflineOptions& options);

struct IdleOptions {
  size_t connections = 10000;
  size_t concurrent_handshakes = 256;
};
int RunIdle(const RelayTarget& target, const IdleOptions& options);

}  // namespace attune::bench
