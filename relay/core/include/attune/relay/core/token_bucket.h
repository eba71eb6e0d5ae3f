// A token bucket: `rate` tokens per second refill up to `burst`. Time is
// passed in (steady clock nanoseconds) so tests control it. 16 bytes: one per
// connection, and the rate/burst live in the shared configuration.
#pragma once

#include <cstdint>

namespace attune::relay {

class TokenBucket {
 public:
  TokenBucket() = default;
  // Starts full.
  TokenBucket(double burst, uint64_t now_ns) : tokens_(burst), last_ns_(now_ns) {}

  // Refills for the time since the last call, then takes `cost` tokens if
  // available. A clock going backwards refills nothing.
  bool TryTake(double rate, double burst, uint64_t now_ns, double cost = 1.0);

  double tokens() const { return tokens_; }

 private:
  double tokens_ = 0;
  uint64_t last_ns_ = 0;
};

}  // namespace attune::relay
