// How stored Content (serialised attune.content.v1.Content) is shown in the
// terminal and in exports.
#pragma once

#include <string>

#include "attune/base/bytes.h"
#include "attune/client/events.h"
#include "attune/therapy/content.h"

namespace attune::client {

// "kind" of a stored message: "text", "check-in", "schedule", "office-hours",
// "crisis-resources", "receipt", or "unknown" for bytes that do not parse.
std::string ContentKind(ByteView content);

// One line for inbox/history: the text itself (a multi-line text as
// indented lines), a short summary such as "[check-in: ...]", or for
// practice settings what changed in words. Passed through the terminal
// printer (terminal_text.h) so a peer cannot rewrite the terminal.
std::string ContentSummary(ByteView content);
std::string ContentSummary(const therapy::ValidatedContent& content);

// A summary (ContentSummary) as a window shows it: the same text with its
// line breaks but without the continuation indent added for the terminal.
std::string WindowText(std::string_view summary);

MessageKind KindOf(const therapy::ValidatedContent& content);
// Practice settings (schedule, office hours, resources) and receipts are not
// messages a person reads: never unread, never counted as new.
bool IsPersonMessage(MessageKind kind);

// One line of untrusted text for the terminal: ForTerminal (terminal_text.h).
std::string SanitizeForTerminal(std::string_view text);

}  // namespace attune::client
