// Exponential backoff with jitter for reconnecting to the relay.
//
// The n-th delay (n = 0, 1, ...) is drawn uniformly from [d/2, d] where
// d = min(max_delay, initial_delay * 2^n): the ceiling doubles per failure and
// is capped, and the random half spreads many clients that lost the relay at
// the same moment (a restart) so they do not reconnect in lock step.
//
// Thread safety: none.
#pragma once

#include <chrono>
#include <cstdint>

#include "attune/crypto/random.h"

namespace attune::net {

struct BackoffPolicy {
  std::chrono::milliseconds initial_delay{250};
  std::chrono::milliseconds max_delay{30000};
};

class Backoff {
 public:
  // `random` must outlive the Backoff.
  Backoff(BackoffPolicy policy, crypto::RandomSource& random);

  // The delay to wait before the next attempt; grows the ceiling.
  std::chrono::milliseconds Next();
  // Call after a success: the next failure starts from initial_delay again.
  void Reset() { attempt_ = 0; }
  uint32_t attempt() const { return attempt_; }

 private:
  BackoffPolicy policy_{};
  crypto::RandomSource& random_;
  uint32_t attempt_ = 0;
};

}  // namespace attune::net
