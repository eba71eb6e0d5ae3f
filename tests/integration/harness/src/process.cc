#include "attune/testing/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

extern char** environ;

namespace attune::testing {
namespace {

using Clock = std::chrono::steady_clock;

Error IoError(const std::string& what) {
  return MakeError(ErrorCode::kIoError, what + ": " + std::strerror(errno));
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Splits complete lines off `partial` into `lines`.
void TakeLines(std::string& partial, std::vector<std::string>& lines) {
  size_t start = 0;
  for (size_t nl = 0; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(partial.substr(start, nl - start));
  }
  partial.erase(0, start);
}

}  // namespace

std::string ExitStatus::ToString() const {
  return exited ? "exit code " + std::to_string(code)
                : "killed by signal " + std::to_string(signal);
}

// State shared between the Process and its I/O thread.
struct Process::Shared {
  mutable std::mutex mu{};
  std::condition_variable cv{};
  struct Capture {
    std::string all{};
    std::string partial{};
    std::vector<std::string> lines{};
    size_t dropped = 0;
    bool closed = false;
  };
  Capture out, err;
  std::string stdin_pending{};
  bool stdin_close_requested = false;
  bool stop = false;
  int wake_read = -1, wake_write = -1;
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
  std::thread io{};

  void Wake() {
    const char c = 0;
    [[maybe_unused]] ssize_t n = ::write(wake_write, &c, 1);
  }

  void Append(Capture& c, const char* data, size_t n) {
    const size_t room = c.all.size() < kMaxCapturedBytes ? kMaxCapturedBytes - c.all.size() : 0;
    const size_t keep = std::min(room, n);
    c.all.append(data, keep);
    c.partial.append(data, keep);
    c.dropped += n - keep;
    TakeLines(c.partial, c.lines);
  }

  void Close(Capture& c) {
    if (!c.partial.empty()) c.lines.push_back(std::move(c.partial));
    c.partial.clear();
    c.closed = true;
  }

  void Run() {
    char buffer[65536];
    while (true) {
      pollfd fds[4];
      nfds_t n = 0;
      fds[n++] = {wake_read, POLLIN, 0};
      int out_i = -1, err_i = -1, in_i = -1;
      {
        std::lock_guard lock(mu);
        if (stop) break;
        if (stdout_fd >= 0) fds[out_i = static_cast<int>(n++)] = {stdout_fd, POLLIN, 0};
        if (stderr_fd >= 0) fds[err_i = static_cast<int>(n++)] = {stderr_fd, POLLIN, 0};
        if (stdin_fd >= 0) {
          if (!stdin_pending.empty()) {
            fds[in_i = static_cast<int>(n++)] = {stdin_fd, POLLOUT, 0};
          } else if (stdin_close_requested) {
            CloseFd(stdin_fd);
          }
        }
        if (stdout_fd < 0 && stderr_fd < 0 && stdin_fd < 0) break;
      }
      if (::poll(fds, n, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[0].revents) {
        while (::read(wake_read, buffer, sizeof buffer) > 0) {
        }
      }
      std::lock_guard lock(mu);
      auto drain = [&](int index, int& fd, Capture& c) {
        if (index < 0 || fds[index].revents == 0) return;
        const ssize_t r = ::read(fd, buffer, sizeof buffer);
        if (r > 0) {
          Append(c, buffer, static_cast<size_t>(r));
        } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
          CloseFd(fd);
          Close(c);
        }
      };
      drain(out_i, stdout_fd, out);
      drain(err_i, stderr_fd, err);
      if (in_i >= 0 && fds[in_i].revents != 0) {
        const ssize_t w = ::write(stdin_fd, stdin_pending.data(), stdin_pending.size());
        if (w > 0) {
          stdin_pending.erase(0, static_cast<size_t>(w));
        } else if (w < 0 && errno != EINTR && errno != EAGAIN) {
          stdin_pending.clear();  // the child closed its stdin
          CloseFd(stdin_fd);
        }
      }
      cv.notify_all();
    }
    std::lock_guard lock(mu);
    if (!out.closed) Close(out);
    if (!err.closed) Close(err);
    CloseFd(stdout_fd);
    CloseFd(stderr_fd);
    CloseFd(stdin_fd);
    cv.notify_all();
  }
};

Result<std::unique_ptr<Process>> Process::Start(const ProcessOptions& options) {
  // Writing to a child that exited must give EPIPE, not kill the test binary.
  ::signal(SIGPIPE, SIG_IGN);

  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, wake[2] = {-1, -1};
  auto close_all = [&] {
    for (int* p : {in, out, err, wake}) {
      CloseFd(p[0]);
      CloseFd(p[1]);
    }
  };
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    Error e = IoError("pipe");
    close_all();
    return e;
  }

  std::vector<std::string> env_strings;
  if (options.inherit_env) {
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      const std::string name = entry.substr(0, entry.find('='));
      bool overridden = false;
      for (const auto& [k, v] : options.env) overridden |= (k == name);
      if (!overridden) env_strings.push_back(entry);
    }
  }
  for (const auto& [k, v] : options.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::vector<std::string> argv_strings{options.executable};
  argv_strings.insert(argv_strings.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  if (!options.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.working_dir.c_str());
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  const int rc =
      ::posix_spawnp(&pid, options.executable.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    errno = rc;
    Error e = IoError("cannot start " + options.executable);
    close_all();
    return e;
  }
  CloseFd(in[0]);
  CloseFd(out[1]);
  CloseFd(err[1]);
  ::fcntl(in[1], F_SETFL, O_NONBLOCK);

  auto shared = std::make_shared<Shared>();
  shared->stdin_fd = in[1];
  shared->stdout_fd = out[0];
  shared->stderr_fd = err[0];
  shared->wake_read = wake[0];
  shared->wake_write = wake[1];
  shared->stdin_pending = options.stdin_data;
  shared->stdin_close_requested = options.close_stdin;
  shared->io = std::thread([s = shared.get()] { s->Run(); });
  return std::unique_ptr<Process>(new Process(pid, std::move(shared)));
}

Process::Process(pid_t pid, std::shared_ptr<Shared> shared)
    : pid_(pid), shared_(std::move(shared)) {}

Process::~Process() {
  if (!exit_status_) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(30));
  }
  // Grandchildren that kept our pipes open were in the same group and got
  // the SIGKILL; stop the I/O thread either way.
  {
    std::lock_guard lock(shared_->mu);
    shared_->stop = true;
  }
  shared_->Wake();
  shared_->io.join();
  CloseFd(shared_->wake_read);
  CloseFd(shared_->wake_write);
}

std::optional<std::vector<std::string>> Process::WaitForLine(const std::regex& pattern,
                                                             std::chrono::milliseconds timeout,
                                                             Stream stream) {
  const auto deadline = Clock::now() + timeout;
  size_t next_out = 0, next_err = 0;
  std::unique_lock lock(shared_->mu);
  while (true) {
    auto scan = [&](Shared::Capture& c, size_t& next) -> std::optional<std::vector<std::string>> {
      for (; next < c.lines.size(); ++next) {
        std::smatch m;
        if (std::regex_search(c.lines[next], m, pattern)) {
          std::vector<std::string> groups;
          for (const auto& g : m) groups.push_back(g.str());
          return groups;
        }
      }
      return std::nullopt;
    };
    if (stream != Stream::kStderr) {
      if (auto m = scan(shared_->out, next_out)) return m;
    }
    if (stream != Stream::kStdout) {
      if (auto m = scan(shared_->err, next_err)) return m;
    }
    const bool ended = (stream == Stream::kStdout && shared_->out.closed) ||
                       (stream == Stream::kStderr && shared_->err.closed) ||
                       (shared_->out.closed && shared_->err.closed);
    if (ended) return std::nullopt;
    if (shared_->cv.wait_until(lock, deadline) == std::cv_status::timeout) {
      if (stream != Stream::kStderr) {
        if (auto m = scan(shared_->out, next_out)) return m;
      }
      if (stream != Stream::kStdout) {
        if (auto m = scan(shared_->err, next_err)) return m;
      }
      return std::nullopt;
    }
  }
}

bool Process::WaitForOutputEnd(std::chrono::milliseconds timeout) {
  std::unique_lock lock(shared_->mu);
  return shared_->cv.wait_for(lock, timeout,
                              [&] { return shared_->out.closed && shared_->err.closed; });
}

std::string Process::Stdout() const {
  std::lock_guard lock(shared_->mu);
  return shared_->out.all;
}

std::string Process::Stderr() const {
  std::lock_guard lock(shared_->mu);
  return shared_->err.all;
}

void Process::WriteStdin(std::string data) {
  {
    std::lock_guard lock(shared_->mu);
    if (shared_->stdin_fd < 0 || shared_->stdin_close_requested) return;
    shared_->stdin_pending += data;
  }
  shared_->Wake();
}

void Process::CloseStdin() {
  {
    std::lock_guard lock(shared_->mu);
    shared_->stdin_close_requested = true;
  }
  shared_->Wake();
}

void Process::Signal(int signal) {
  if (exit_status_) return;
  ::kill(pid_, signal);
}

namespace {
constexpr std::chrono::seconds kOutputDrainTimeout{5};
}  // namespace

std::optional<ExitStatus> Process::Wait(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      ExitStatus s;
      s.exited = WIFEXITED(status);
      s.code = s.exited ? WEXITSTATUS(status) : -1;
      s.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      exit_status_ = s;
      // The child is gone, but the io thread may still be reading what it
      // wrote last: Stdout()/Stderr() after Wait() must see all of it.
      // Bounded, in case a grandchild still holds the pipes open.
      WaitForOutputEnd(kOutputDrainTimeout);
      return s;
    }
    if (r < 0 && errno != EINTR) {
      exit_status_ = ExitStatus{};  // not our child any more: treat as gone
      return exit_status_;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

bool Process::Running() { return !Wait(std::chrono::milliseconds(0)).has_value(); }

std::optional<uint64_t> Process::RssKiB() const {
  if (exit_status_) return std::nullopt;
  return ReadRssKiB(pid_);
}

std::optional<uint64_t> ReadRssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return std::nullopt;
}

Result<Completed> RunToCompletion(const ProcessOptions& options,
                                  std::chrono::milliseconds timeout) {
  ATTUNE_ASSIGN_OR_RETURN(auto process, Process::Start(options));
  auto status = process->Wait(timeout);
  if (!status) {
    process->Kill();
    return MakeError(ErrorCode::kIoError, options.executable + " did not finish within " +
                                              std::to_string(timeout.count()) + " ms");
  }
  // The pipes reach EOF once the child (and anything it left behind) exits.
  process->WaitForOutputEnd(std::chrono::milliseconds(2000));
  return Completed{*status, process->Stdout(), process->Stderr()};
}

}  // namespace attune::testing
