// How stored Content (serialised attune.content.v1.Content) is shown in the
// terminal and in exports.
#pragma once

#include <string>

#include "attune/base/bytes.h"

namespace attune::client {

// "kind" of a stored message: "text", "check-in", "schedule", "office-hours",
// "crisis-resources", "receipt", or "unknown" for bytes that do not parse.
std::string ContentKind(ByteView content);

// What inbox/history/sync show: the text itself (a multi-line text as
// indented lines), or a short summary such as "[check-in]" for other kinds.
// Passed through the terminal printer (terminal_text.h) so a peer cannot
// rewrite the terminal.
std::string ContentSummary(ByteView content);

// One line of untrusted text for the terminal: ForTerminal (terminal_text.h).
std::string SanitizeForTerminal(std::string_view text);

}  // namespace attune::client
