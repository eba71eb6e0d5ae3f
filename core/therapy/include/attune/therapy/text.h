// Validation of text a person or a peer chose, shared by message bodies and
// names (core/therapy/src/text_check.cc holds the rules).
#pragma once

#include <cstddef>
#include <string_view>

#include "attune/base/result.h"

namespace attune::therapy {

// A name shown on other people's screens (display names, local contact
// names): 1..max_bytes bytes of valid UTF-8 (no overlong forms, no
// surrogates), on one line, with no C0/C1 control character or DEL (the rules
// of message text), and in addition no bidi control or invisible format
// character (U+061C, U+200B..U+200F, U+2028..U+202E, U+2060..U+206F,
// U+FEFF): a name must look the same wherever it is shown and cannot reorder
// the text around it. Error: kInvalidArgument "<field> ...".
Status ValidateName(std::string_view field, std::string_view name, size_t max_bytes);

}  // namespace attune::therapy
