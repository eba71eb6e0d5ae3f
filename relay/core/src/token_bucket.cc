#include "attune/relay/core/token_bucket.h"

#include <algorithm>

namespace attune::relay {

bool TokenBucket::TryTake(double rate, double burst, uint64_t now_ns, double cost) {
  if (now_ns > last_ns_) {
    tokens_ = std::min(burst, tokens_ + rate * static_cast<double>(now_ns - last_ns_) * 1e-9);
    last_ns_ = now_ns;
  }
  if (tokens_ < cost) return false;
  tokens_ -= cost;
  return true;
}

}  // namespace attune::relay
