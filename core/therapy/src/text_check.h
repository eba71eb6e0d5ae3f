// Internal: checks on peer-supplied text before it becomes a domain value.
// Text from the other device ends up on a terminal, so besides being valid
// UTF-8 within its bound it must not carry control characters (escape
// sequences could rewrite what the user sees, e.g. hide a crisis line).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "attune/base/result.h"

namespace attune::therapy::internal {

bool IsValidUtf8(std::string_view text);

// True if valid UTF-8 text holds a bidi control or invisible format
// character (the list in attune/therapy/text.h).
bool HasFormatCharacter(std::string_view text);

// kInvalidArgument "<field> ..." if text is longer than max_bytes, not
// UTF-8, contains a C0/C1 control character or DEL (newline and tab allowed
// only if multiline), or is empty while required.
Status CheckText(std::string_view field, std::string_view text, size_t max_bytes, bool required,
                 bool multiline);

}  // namespace attune::therapy::internal
