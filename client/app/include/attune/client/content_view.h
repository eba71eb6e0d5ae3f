// How stored Content (serialised attune.content.v1.Content) is shown in the
// terminal and in exports.
#pragma once

#include <string>

#include "attune/base/bytes.h"

namespace attune::client {

// "kind" of a stored message: "text", "check-in", "schedule", "office-hours",
// "crisis-resources", "receipt", or "unknown" for bytes that do not parse.
std::string ContentKind(ByteView content);

// One line for inbox/history: the text itself, or a short summary such as
// "[check-in]" for other kinds. Control characters are replaced so a peer
// cannot rewrite the terminal.
std::string ContentSummary(ByteView content);

// Replaces control characters (except none) with U+FFFD-like '?'.
std::string SanitizeForTerminal(std::string_view text);

}  // namespace attune::client
