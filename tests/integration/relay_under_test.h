// A real attune-relay process for integration tests: its own temp data dir,
// a fresh static key (`keygen`), a clinic credential (`credential issue`),
// and `serve` on 127.0.0.1 port 0 with a generated config. Restartable on
// the same data dir (each start binds a new port; endpoint() follows).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "attune/base/result.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"
#include "attune/net/relay_connection.h"
#include "attune/testing/process.h"
#include "attune/testing/temp_dir.h"

namespace attune::testing {

// TOML overrides: section -> key -> value literal (e.g. {"limits",
// {{"idle_timeout_seconds", "1"}}}). Merged over the test defaults.
using RelaySettings = std::map<std::string, std::map<std::string, std::string>>;

class RelayUnderTest {
 public:
  static constexpr std::chrono::milliseconds kStartTimeout{10000};

  // keygen + credential issue + serve. Errors carry the relay's stderr.
  static Result<std::unique_ptr<RelayUnderTest>> Start(const RelaySettings& settings = {});

  // Starts serve again on the same data dir after Kill9()/Terminate(). With
  // same_port the relay binds the port it had (clients with a fixed endpoint
  // can come back); otherwise a fresh one.
  Status Restart(bool same_port = false);
  // SIGKILL and reap.
  void Kill9();
  // SIGTERM; the exit status, or nullopt if it did not exit within timeout.
  std::optional<ExitStatus> Terminate(std::chrono::milliseconds timeout);

  net::RelayEndpoint endpoint() const;
  uint16_t port() const { return port_; }
  const crypto::X25519PublicKey& public_key() const { return public_key_; }
  // The clinic credential issued at setup (32 bytes).
  const crypto::SecretArray<32>& credential() const { return credential_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  Process& process() { return *process_; }
  bool running() { return process_ && process_->Running(); }

  // stderr (the log) of every run so far, including the current one.
  std::string AllLogs() const;

  // Connects a client (5 s timeout).
  Result<std::unique_ptr<net::RelayConnection>> Connect() const;

 private:
  RelayUnderTest() : dir_("attune-relay-it") {}
  Status Serve();
  Status WriteConfig(uint16_t port);

  TempDir dir_{};
  std::filesystem::path data_dir_{};
  std::filesystem::path config_path_{};
  RelaySettings settings_{};
  crypto::X25519PublicKey public_key_{};
  crypto::SecretArray<32> credential_{};
  std::unique_ptr<Process> process_{};
  std::string previous_logs_{};
  uint16_t port_ = 0;
};

// Runs attune-relay with `args` to completion (10 s bound).
Result<Completed> RunRelayCommand(const std::vector<std::string>& args);

}  // namespace attune::testing
