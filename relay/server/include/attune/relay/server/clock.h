// The relay's clock, injected (like core's RandomSource) so that tests of the
// idle, handshake and write deadlines, message expiry and token buckets
// advance a ManualClock instead of sleeping.
//
// Thread safety: both implementations may be read from any thread (the
// server reads it on the io thread only; tests advance it from theirs).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace attune::relay {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic nanoseconds (deadlines, token buckets). Never goes backwards.
  virtual uint64_t SteadyNs() const = 0;
  // Wall-clock seconds since the Unix epoch (message and ticket expiry).
  virtual uint64_t UnixSeconds() const = 0;
};

// std::chrono::steady_clock and system_clock. Lives for the whole program.
Clock& SystemClock();

// A clock that moves only when told to: for tests.
class ManualClock final : public Clock {
 public:
  ManualClock(uint64_t steady_ns = 1'000'000'000ull, uint64_t unix_seconds = 1'800'000'000ull)
      : steady_ns_(steady_ns), unix_seconds_(unix_seconds) {}
  uint64_t SteadyNs() const override { return steady_ns_.load(std::memory_order_relaxed); }
  uint64_t UnixSeconds() const override { return unix_seconds_.load(std::memory_order_relaxed); }
  // Moves both clocks forward by `d` (whole seconds for the wall clock).
  void Advance(std::chrono::nanoseconds d);

 private:
  std::atomic<uint64_t> steady_ns_{0};
  std::atomic<uint64_t> unix_seconds_{0};
  uint64_t unix_remainder_ns_ = 0;  // sub-second part not yet added to unix_seconds_
};

}  // namespace attune::relay
