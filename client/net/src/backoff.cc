#include "attune/net/backoff.h"

#include <algorithm>

namespace attune::net {

Backoff::Backoff(BackoffPolicy policy, crypto::RandomSource& random)
    : policy_(policy), random_(random) {
  policy_.initial_delay = std::max(policy_.initial_delay, std::chrono::milliseconds(1));
  policy_.max_delay = std::max(policy_.max_delay, policy_.initial_delay);
}

std::chrono::milliseconds Backoff::Next() {
  // Doubling stops once the cap is reached, so the shift never overflows.
  int64_t ceiling = policy_.initial_delay.count();
  const int64_t cap = policy_.max_delay.count();
  for (uint32_t i = 0; i < attempt_ && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  if (attempt_ < UINT32_MAX) ++attempt_;

  const int64_t floor = ceiling / 2;
  const uint64_t span = static_cast<uint64_t>(ceiling - floor) + 1;
  const ByteArray<8> r = random_.Array<8>();
  const uint64_t draw = ReadU64BE(r.data()) % span;  // bias is < span / 2^64
  return std::chrono::milliseconds(floor + static_cast<int64_t>(draw));
}

}  // namespace attune::net
