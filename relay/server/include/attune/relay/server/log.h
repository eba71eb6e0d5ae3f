// Minimal leveled logging to stderr. The relay logs events and counts, never
// payloads, keys or (below kDebug) mailbox ids.
//
// Thread safety: Log() may be called from any thread; lines are written with
// one write() each so they do not interleave.
#pragma once

#include <optional>
#include <string_view>

namespace attune::relay {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
// "attune-relay: 2026-11-26T23:59:59Z info: <message>"
void Log(LogLevel level, std::string_view message);
std::optional<LogLevel> ParseLogLevel(std::string_view name);

}  // namespace attune::relay
