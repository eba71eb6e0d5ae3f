// What every client operation works with: the open profile, randomness and
// the wall clock (injected so tests can fix them).
#pragma once

#include <cstdint>
#include <functional>

#include "attune/client/store/profile.h"
#include "attune/crypto/random.h"

namespace attune::client {

using Clock = std::function<uint64_t()>;  // unix seconds

// The system clock.
uint64_t SystemNow();

struct Context {
  store::Profile& profile;
  crypto::RandomSource& random;
  Clock now = SystemNow;

  store::Database& db() { return profile.db(); }
};

}  // namespace attune::client
