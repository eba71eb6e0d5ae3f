#include "relay_under_test.h"

#include <regex>
#include <sstream>

namespace attune::testing {
namespace {

constexpr const char* kRelayBinary = ATTUNE_RELAY_BINARY;

Error RelayError(const std::string& what, const std::string& detail) {
  return MakeError(ErrorCode::kIoError, what + ": " + detail);
}

// The defaults every test relay starts from: loopback, port 0, short
// shutdown paths, and limits roomy enough for the tests that do not probe
// them.
RelaySettings Defaults(const std::filesystem::path& data_dir) {
  return {
      {"listen", {{"address", "\"127.0.0.1\""}, {"port", "0"}}},
      {"storage", {{"data_dir", "\"" + data_dir.string() + "\""}}},
      {"log", {{"level", "\"info\""}}},
      // Every test connects from 127.0.0.1: per-address limits that a test
      // does not probe stay out of the way.
      {"limits",
       {{"max_connections_per_address", "20000"},
        {"handshakes_per_second_per_address", "100000"},
        {"handshake_burst_per_address", "100000"}}},
  };
}

std::string ToToml(const RelaySettings& settings) {
  std::ostringstream out;
  for (const auto& [section, keys] : settings) {
    out << "[" << section << "]\n";
    for (const auto& [key, value] : keys) out << key << " = " << value << "\n";
    out << "\n";
  }
  return out.str();
}

}  // namespace

Result<Completed> RunRelayCommand(const std::vector<std::string>& args) {
  ProcessOptions options;
  options.executable = kRelayBinary;
  options.args = args;
  return RunToCompletion(options, std::chrono::seconds(10));
}

Result<std::unique_ptr<RelayUnderTest>> RelayUnderTest::Start(const RelaySettings& settings) {
  std::unique_ptr<RelayUnderTest> relay(new RelayUnderTest());
  relay->data_dir_ = relay->dir_ / "data";
  relay->config_path_ = relay->dir_ / "relay.toml";

  ATTUNE_ASSIGN_OR_RETURN(Completed keygen,
                          RunRelayCommand({"keygen", "--data-dir", relay->data_dir_.string()}));
  if (!keygen.status.Success()) return RelayError("keygen failed", keygen.stderr_text);
  std::smatch m;
  static const std::regex kHexLine("^([0-9a-f]{64})\\s*$");
  if (!std::regex_search(keygen.stdout_text, m, kHexLine)) {
    return RelayError("keygen printed no public key", keygen.stdout_text);
  }
  auto pub = FromHex(m[1].str());
  std::copy(pub->begin(), pub->end(), relay->public_key_.begin());

  ATTUNE_ASSIGN_OR_RETURN(Completed issue, RunRelayCommand({"credential", "issue", "--data-dir",
                                                            relay->data_dir_.string()}));
  if (!issue.status.Success()) return RelayError("credential issue failed", issue.stderr_text);
  if (!std::regex_search(issue.stdout_text, m, kHexLine)) {
    return RelayError("credential issue printed no token", issue.stderr_text);
  }
  auto credential = FromHex(m[1].str());
  relay->credential_ = crypto::SecretArray<32>(crypto::ConstSpan<32>(credential->data(), 32));
  // The token only lived in this test's memory; wipe the copies we can reach.
  crypto::SecureZero(credential->data(), credential->size());

  relay->settings_ = settings;
  ATTUNE_RETURN_IF_ERROR(relay->WriteConfig(0));
  ATTUNE_RETURN_IF_ERROR(relay->Serve());
  return relay;
}

Status RelayUnderTest::WriteConfig(uint16_t port) {
  RelaySettings merged = Defaults(data_dir_);
  for (const auto& [section, keys] : settings_) {
    for (const auto& [key, value] : keys) merged[section][key] = value;
  }
  merged["listen"]["port"] = std::to_string(port);
  if (!WriteFileText(config_path_, ToToml(merged))) {
    return MakeError(ErrorCode::kIoError, "cannot write the relay config");
  }
  return Status::Ok();
}

Status RelayUnderTest::Serve() {
  if (process_) {
    process_->WaitForOutputEnd(std::chrono::seconds(2));
    previous_logs_ += process_->Stderr();
  }
  ProcessOptions options;
  options.executable = kRelayBinary;
  options.args = {"serve", "--config", config_path_.string()};
  ATTUNE_ASSIGN_OR_RETURN(process_, Process::Start(options));
  static const std::regex kListening(R"(^listening on 127\.0\.0\.1:(\d+)$)");
  auto line = process_->WaitForLine(kListening, kStartTimeout, Stream::kStdout);
  if (!line) {
    process_->Kill();
    process_->Wait(std::chrono::seconds(5));
    return RelayError("relay did not start", process_->Stderr());
  }
  port_ = static_cast<uint16_t>(std::stoi((*line)[1]));
  return Status::Ok();
}

Status RelayUnderTest::Restart(bool same_port) {
  if (process_ && process_->Running()) {
    return MakeError(ErrorCode::kInternal, "restart while the relay still runs");
  }
  ATTUNE_RETURN_IF_ERROR(WriteConfig(same_port ? port_ : 0));
  return Serve();
}

void RelayUnderTest::Kill9() {
  if (!process_) return;
  process_->Kill();
  process_->Wait(std::chrono::seconds(10));
}

std::optional<ExitStatus> RelayUnderTest::Terminate(std::chrono::milliseconds timeout) {
  process_->Terminate();
  return process_->Wait(timeout);
}

net::RelayEndpoint RelayUnderTest::endpoint() const {
  return net::RelayEndpoint{"127.0.0.1", port_, public_key_};
}

std::string RelayUnderTest::AllLogs() const {
  return previous_logs_ + (process_ ? process_->Stderr() : std::string());
}

Result<std::unique_ptr<net::RelayConnection>> RelayUnderTest::Connect() const {
  return net::RelayConnection::Connect(endpoint(), std::chrono::seconds(5), crypto::SystemRandom());
}

}  // namespace attune::testing
