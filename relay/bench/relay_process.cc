#include "relay_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace attune::bench {
namespace {

using Clock = std::chrono::steady_clock;

Error Fail(const std::string& what) { return MakeError(ErrorCode::kIoError, what); }

// Spawns `argv` with stdout on a pipe (returned) and stderr to `log_path`.
Result<std::pair<pid_t, int>> Spawn(const std::vector<std::string>& args,
                                    const std::filesystem::path& log_path) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Fail("pipe failed");
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) return Fail("cannot open " + log_path.string());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, log, 2);
  std::vector<std::string> storage = args;
  std::vector<char*> argv;
  argv.reserve(storage.size() + 1);
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(log);
  if (rc != 0) {
    ::close(out[0]);
    return Fail("cannot run " + args[0] + ": " + std::strerror(rc));
  }
  return std::make_pair(pid, out[0]);
}

// Reads `fd` until a line matches `pattern` (returns its first group) or
// until EOF / timeout.
std::optional<std::string> ReadLine(int fd, const std::regex& pattern,
                                    std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string buffer;
  while (Clock::now() < deadline) {
    for (size_t nl = 0; (nl = buffer.find('\n')) != std::string::npos;) {
      const std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      std::smatch m;
      if (std::regex_search(line, m, pattern)) return m.size() > 1 ? m[1].str() : line;
    }
    pollfd p{fd, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left, 0))) <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  return std::nullopt;
}

Result<std::string> RunForLine(const std::vector<std::string>& args,
                               const std::filesystem::path& log, const std::regex& pattern) {
  ATTUNE_ASSIGN_OR_RETURN(auto spawned, Spawn(args, log));
  auto line = ReadLine(spawned.second, pattern, std::chrono::seconds(10));
  ::close(spawned.second);
  int status = 0;
  ::waitpid(spawned.first, &status, 0);
  if (!line || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Fail(args[0] + " " + args[1] + " failed; see " + log.string());
  }
  return *line;
}

}  // namespace

Result<std::unique_ptr<SpawnedRelay>> SpawnedRelay::Start(
    const std::string& relay_binary, const std::vector<std::string>& extra_limits,
    const std::string& extra_toml, const SpawnedRelay* key_from) {
  std::unique_ptr<SpawnedRelay> relay(new SpawnedRelay());
  std::string pattern = (std::filesystem::temp_directory_path() / "attune-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return Fail("mkdtemp failed");
  relay->dir_ = pattern;
  const auto data = relay->dir_ / "data";
  const auto log = relay->dir_ / "relay.log";
  static const std::regex kHex("^([0-9a-f]{64})$");

  const bool shared_store = extra_toml.find("[store]") != std::string::npos;
  if (key_from == nullptr) {
    ATTUNE_ASSIGN_OR_RETURN(std::string pub,
                            RunForLine({relay_binary, "keygen", "--data-dir", data}, log, kHex));
    const Bytes pub_bytes = *FromHex(pub);
    std::copy(pub_bytes.begin(), pub_bytes.end(), relay->target_.endpoint.relay_public_key.begin());
  } else {
    std::error_code ec;
    std::filesystem::create_directories(data, ec);
    std::filesystem::permissions(data, std::filesystem::perms::owner_all, ec);
    std::filesystem::copy_file(key_from->dir_ / "data" / "relay.key", data / "relay.key", ec);
    if (ec) return Fail("cannot copy the relay key: " + ec.message());
    relay->target_.endpoint.relay_public_key = key_from->target_.endpoint.relay_public_key;
    relay->target_.credential = key_from->target_.credential.Clone();
  }
  // Limits are raised so that the bench measures throughput, latency and
  // memory rather than the rate limiter; durability settings are untouched.
  std::ostringstream config;
  config << "[listen]\naddress = \"127.0.0.1\"\nport = 0\n\n"
         << "[storage]\ndata_dir = \"" << data.string() << "\"\n\n"
         << "[log]\nlevel = \"warn\"\n\n"
         << "[limits]\n";
  std::map<std::string, std::string> limits = {{"max_connections", "15000"},
                                               {"handshakes_per_second", "100000"},
                                               {"handshake_burst", "100000"},
                                               {"requests_per_second", "1000000"},
                                               {"request_burst", "1000000"},
                                               {"max_pending_requests", "4096"},
                                               // Every bench connection comes from 127.0.0.1.
                                               {"max_connections_per_address", "20000"},
                                               {"handshakes_per_second_per_address", "100000"},
                                               {"handshake_burst_per_address", "100000"},
                                               {"max_pending_handshakes", "20000"}};
  for (const std::string& line : extra_limits) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) return Fail("--relay-limit wants KEY=VALUE, got " + line);
    limits[line.substr(0, eq)] = line.substr(eq + 1);
  }
  for (const auto& [key, value] : limits) config << key << " = " << value << "\n";
  config << "\n" << extra_toml;
  const auto config_path = relay->dir_ / "relay.toml";
  std::ofstream(config_path) << config.str();
  if (key_from == nullptr) {
    if (shared_store) {
      static const std::regex kMigrated("^(postgres schema version .*)$");
      ATTUNE_ASSIGN_OR_RETURN(std::string migrated, RunForLine({relay_binary, "db", "migrate",
                                                                "--config", config_path.string()},
                                                               log, kMigrated));
    }
    const std::vector<std::string> where =
        shared_store ? std::vector<std::string>{"--config", config_path.string()}
                     : std::vector<std::string>{"--data-dir", data.string()};
    std::vector<std::string> issue = {relay_binary, "credential", "issue"};
    issue.insert(issue.end(), where.begin(), where.end());
    ATTUNE_ASSIGN_OR_RETURN(std::string credential, RunForLine(issue, log, kHex));
    Bytes credential_bytes = *FromHex(credential);
    relay->target_.credential =
        crypto::SecretArray<32>(crypto::ConstSpan<32>(credential_bytes.data(), 32));
    crypto::SecureZero(credential_bytes.data(), credential_bytes.size());
    crypto::SecureZero(credential.data(), credential.size());
  }

  ATTUNE_ASSIGN_OR_RETURN(auto spawned,
                          Spawn({relay_binary, "serve", "--config", config_path.string()}, log));
  relay->target_.pid = spawned.first;
  static const std::regex kListening(R"(^listening on 127\.0\.0\.1:(\d+)$)");
  auto port = ReadLine(spawned.second, kListening, std::chrono::seconds(10));
  ::close(spawned.second);  // the relay prints nothing more on stdout
  if (!port) return Fail("relay did not start; see " + log.string());
  relay->target_.endpoint.host = "127.0.0.1";
  relay->target_.endpoint.port = static_cast<uint16_t>(std::stoi(*port));
  return relay;
}

SpawnedRelay::~SpawnedRelay() {
  if (target_.pid > 0) {
    ::kill(target_.pid, SIGTERM);
    int status = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (::waitpid(target_.pid, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        ::kill(target_.pid, SIGKILL);
        ::waitpid(target_.pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (!dir_.empty() && std::getenv("ATTUNE_BENCH_KEEP") == nullptr) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::optional<ProcessStats> ReadProcessStats(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  ProcessStats stats;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  if (!status) return std::nullopt;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) stats.rss_kib = std::stoull(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) stats.hwm_kib = std::stoull(line.substr(6));
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the parenthesised command name; utime and stime are the
  // 14th and 15th fields overall (the 12th and 13th after the name).
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return stats;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 1; i <= 13 && (rest >> field); ++i) {
    if (i == 12) utime = std::stoull(field);
    if (i == 13) stime = std::stoull(field);
  }
  stats.cpu_seconds =
      static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  return stats;
}

double ProcessTreeCpuSeconds(pid_t pid) {
  if (pid <= 0) return 0;
  double total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    std::string state;
    long long ppid = 0;
    rest >> state >> ppid;
    const pid_t self = static_cast<pid_t>(std::stoll(name));
    if (self != pid && ppid != pid) continue;
    if (auto s = ReadProcessStats(self)) total += s->cpu_seconds;
  }
  return total;
}

}  // namespace attune::bench
