// RFC 4648 section 6 Base32 without padding, for the invitation text form.
// Private to attune_e2e.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "attune/base/bytes.h"

namespace attune::e2e::base32 {

// Upper-case alphabet A-Z 2-7, no '=' padding.
std::string Encode(ByteView bytes);

// Strict inverse of Encode for upper-case input: nullopt for a character
// outside the alphabet, a length no encoder produces, or non-zero unused
// bits in the last character (so each byte string has exactly one text).
std::optional<Bytes> Decode(std::string_view text);

}  // namespace attune::e2e::base32
