// The relay under measurement: either one the bench starts itself (temp data
// dir, keygen, a credential, `serve` on 127.0.0.1 port 0, roomy limits so the
// bench measures the relay and not its rate limiter) or one already running
// that the bench attaches to.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attune/base/result.h"
#include "attune/crypto/secret.h"
#include "attune/net/relay_connection.h"

namespace attune::bench {

struct RelayTarget {
  net::RelayEndpoint endpoint{};
  crypto::SecretArray<32> credential{};
  pid_t pid = 0;  // 0: unknown (no RSS/CPU figures)
};

class SpawnedRelay {
 public:
  // `extra_limits` are more `key = value` lines for the [limits] table (they
  // override the bench's defaults); `extra_toml` is appended to the config.
  static Result<std::unique_ptr<SpawnedRelay>> Start(const std::string& relay_binary,
                                                     const std::vector<std::string>& extra_limits,
                                                     const std::string& extra_toml);
  ~SpawnedRelay();  // SIGTERM, wait (5 s, then SIGKILL), remove the temp dir

  const RelayTarget& target() const { return target_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  SpawnedRelay() = default;
  std::filesystem::path dir_{};
  RelayTarget target_{};
};

// /proc/PID figures: resident set (VmRSS) and peak (VmHWM) in KiB, and CPU
// time (user + system) in seconds.
struct ProcessStats {
  uint64_t rss_kib = 0;
  uint64_t hwm_kib = 0;
  double cpu_seconds = 0;
};
std::optional<ProcessStats> ReadProcessStats(pid_t pid);

}  // namespace attune::bench
