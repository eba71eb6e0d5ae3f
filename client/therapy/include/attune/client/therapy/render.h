// Terminal rendering of check-ins: the `attune checkins` table with totals
// and bands, text sparklines, and the prompts and risk notices of
// `attune checkin`. Output is plain UTF-8 without escape sequences; peer
// text was already checked for control characters when parsed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attune/client/therapy/history.h"
#include "attune/therapy/check_in.h"

namespace attune::therapy {

// One block character per value scaled over [0, max]: U+2581..U+2588
// ("▁▂▃▄▅▆▇█"); a missing value is a space. max must be > 0.
std::string Sparkline(std::span<const std::optional<uint32_t>> values, uint32_t max);

// The check-ins among entries, oldest first, as a table (client's local
// time of filling, mood, anxiety, sleep, each instrument's total and band,
// urgency and acknowledgement, a truncated note), then one sparkline per
// series that has any value. "No check-ins yet." when there are none.
std::string RenderCheckInTable(const std::vector<HistoryEntry>& entries);

// "PHQ-9 14/27 Moderate".
std::string FormatScore(const ValidatedAnswers& answers);

// Truncates UTF-8 text to at most max_chars code points, adding "…".
std::string TruncateText(std::string_view text, size_t max_chars);

// "2026-03-08 20:05 (UTC-04:00)": the client's local time of filling.
std::string FormatFilledAt(const CheckIn& check_in);

}  // namespace attune::therapy
