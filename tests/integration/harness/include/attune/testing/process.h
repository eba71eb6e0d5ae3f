// A child process for integration tests: spawned with chosen args, env and
// stdin; stdout and stderr captured in the background; lines awaited with a
// timeout; stopped with SIGTERM or SIGKILL. Generic: the relay tests and the
// `attune` CLI end-to-end tests both use it.
//
// Everything is bounded: each wait takes a timeout, captured output is capped
// at kMaxCapturedBytes per stream (older bytes are kept, later ones counted
// and dropped), and the destructor kills the whole process group (SIGKILL)
// and reaps it, so a failing test never leaks a process.
//
// The child runs in its own process group with default signal dispositions
// and an empty signal mask. Thread safety: all methods may be called from any
// thread; one thread per Process does the pipe I/O.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "attune/base/result.h"

namespace attune::testing {

struct ProcessOptions {
  std::string executable{};         // a path, or a name looked up in PATH
  std::vector<std::string> args{};  // argv[1..]
  // Variables set in the child, added to (or replacing) the inherited ones.
  std::vector<std::pair<std::string, std::string>> env{};
  bool inherit_env = true;
  std::string working_dir{};  // empty: the current directory
  // Written to the child's stdin right after it starts; stdin is closed after
  // it when close_stdin is true (otherwise WriteStdin/CloseStdin later).
  std::string stdin_data{};
  bool close_stdin = true;
};

struct ExitStatus {
  bool exited = false;  // true: exit code; false: killed by `signal`
  int code = -1;
  int signal = 0;

  bool Success() const { return exited && code == 0; }
  std::string ToString() const;
};

enum class Stream { kStdout, kStderr, kEither };

class Process {
 public:
  static constexpr size_t kMaxCapturedBytes = 16 << 20;

  // Errors: kIoError when the pipes cannot be made or the program cannot be
  // executed (missing, not executable).
  static Result<std::unique_ptr<Process>> Start(const ProcessOptions& options);

  ~Process();  // SIGKILL to the process group if still running, then reap
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }

  // Waits until a complete line (without its '\n') of `stream` matches
  // `pattern` (std::regex_search) and returns its groups (group 0 is the
  // whole match); searches every line captured so far, from the first.
  // nullopt on timeout or when the stream ends without a match.
  std::optional<std::vector<std::string>> WaitForLine(const std::regex& pattern,
                                                      std::chrono::milliseconds timeout,
                                                      Stream stream = Stream::kEither);

  // Waits until both stdout and stderr reached end of file (the child and
  // everything it started closed them). False on timeout.
  bool WaitForOutputEnd(std::chrono::milliseconds timeout);

  // Captured output so far (complete and partial lines).
  std::string Stdout() const;
  std::string Stderr() const;

  // Queues bytes for the child's stdin (written by the I/O thread).
  void WriteStdin(std::string data);
  void CloseStdin();

  // Signals the child's process group: SIGKILL / SIGTERM / any signal.
  void Kill() { Signal(9); }
  void Terminate() { Signal(15); }
  void Signal(int signal);

  // The exit status once the child has ended within `timeout`, else nullopt
  // (the child keeps running). Reaps the child; repeated calls return the
  // same status.
  std::optional<ExitStatus> Wait(std::chrono::milliseconds timeout);
  bool Running();

  // Current resident set (VmRSS) in KiB from /proc/PID/status, nullopt once
  // the child is gone.
  std::optional<uint64_t> RssKiB() const;

 private:
  struct Shared;
  Process(pid_t pid, std::shared_ptr<Shared> shared);

  pid_t pid_ = 0;
  std::shared_ptr<Shared> shared_{};
  std::optional<ExitStatus> exit_status_{};
};

// Runs a program to completion, feeding `options.stdin_data`; kills it (and
// reports kIoError) if it does not finish within `timeout`.
struct Completed {
  ExitStatus status{};
  std::string stdout_text{};
  std::string stderr_text{};
};
Result<Completed> RunToCompletion(const ProcessOptions& options, std::chrono::milliseconds timeout);

// Reads VmRSS (KiB) of any process from /proc/PID/status.
std::optional<uint64_t> ReadRssKiB(pid_t pid);

}  // namespace attune::testing
