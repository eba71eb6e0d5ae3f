// A POSIX file descriptor closed when its owner goes away, on every return
// path. Nothing here reads or writes: callers do their own I/O (core stays
// sans-IO), this only owns the descriptor.
#pragma once

#include <unistd.h>

#include <utility>

namespace attune {

class UniqueFd {
 public:
  UniqueFd() = default;
  // Takes ownership of fd (a negative value owns nothing: open() failed).
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int fd_ = -1;
};

}  // namespace attune
