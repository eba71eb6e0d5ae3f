#include "attune/relay/server/clock.h"

namespace attune::relay {
namespace {

class SystemClockImpl final : public Clock {
 public:
  uint64_t SteadyNs() const override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }
  uint64_t UnixSeconds() const override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }
};

}  // namespace

Clock& SystemClock() {
  static SystemClockImpl clock;
  return clock;
}

void ManualClock::Advance(std::chrono::nanoseconds d) {
  const auto ns = static_cast<uint64_t>(d.count());
  steady_ns_.fetch_add(ns, std::memory_order_relaxed);
  // Advance() is called by one test thread at a time; the readers only load.
  unix_remainder_ns_ += ns;
  unix_seconds_.fetch_add(unix_remainder_ns_ / 1'000'000'000ull, std::memory_order_relaxed);
  unix_remainder_ns_ %= 1'000'000'000ull;
}

}  // namespace attune::relay
