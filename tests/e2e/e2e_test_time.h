// The fixed clock and helpers that the e2e tests share (invitation, X3DH,
// ratchet), in one place: they run in one test binary, and in one
// translation unit when scripts/test.sh builds in unity mode.
#pragma once

#include <cstdint>
#include <string_view>

#include "attune/base/bytes.h"

namespace attune::e2e::testing {

// A fixed "unix now"; invitation lifetimes are counted in days from it.
inline constexpr uint64_t kNow = 1'800'000'000;
inline constexpr uint64_t kDay = 24 * 60 * 60;

inline Bytes Text(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace attune::e2e::testing
