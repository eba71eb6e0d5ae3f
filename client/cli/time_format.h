// Local-time formatting for the terminal.
#pragma once

#include <cstdint>
#include <string>

namespace attune::cli {

// "YYYY-MM-DD HH:MM" in the local time zone.
std::string FormatTime(uint64_t unix_seconds);
// ISO 8601 UTC ("2026-11-26T23:40:00Z") for exports.
std::string FormatIsoUtc(uint64_t unix_seconds);

}  // namespace attune::cli
