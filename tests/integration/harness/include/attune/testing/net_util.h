// Loopback helpers for integration tests.
#pragma once

#include <cstdint>
#include <optional>

namespace attune::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read it,
// close). Racy by nature: prefer letting the server bind port 0 and parsing
// the port it prints; use this only for programs that cannot.
std::optional<uint16_t> FreeTcpPort();

// Raises the soft RLIMIT_NOFILE to min(hard, wanted); returns the new soft
// limit.
uint64_t RaiseFileLimit(uint64_t wanted);

}  // namespace attune::testing
