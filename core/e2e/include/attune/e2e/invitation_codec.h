// Invitation encodings: the exact binary form (invitation.h) and a text form
// for typing, pasting or a QR code (docs/PROTOCOL.md, "Invitation text").
//
// Text form:
//   "ATTUNE1-" then the RFC 4648 Base32 alphabet (A-Z, 2-7, no padding) of
//   binary || checksum, in groups of 5 characters joined by '-', where
//   checksum = BLAKE2b-256(kInvitationChecksumLabel || binary)[0..4).
// Upper case only on output, so a QR code can use its compact alphanumeric
// mode. Input is case-insensitive, and spaces, tabs, line breaks and dashes
// are ignored anywhere after the prefix, so wrapped or retyped text parses.
//
// Checks run cheapest first: characters, checksum, layout and sizes, key
// encodings, expiry, then the two signatures.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/e2e/invitation.h"

namespace attune::e2e {

inline constexpr std::string_view kInvitationTextPrefix = "ATTUNE1-";
inline constexpr std::string_view kInvitationChecksumLabel = "attune-e2e/v1/invitation-checksum";
inline constexpr size_t kInvitationChecksumSize = 4;
inline constexpr size_t kInvitationTextGroupSize = 5;
// Longest accepted text (prefix, Base32 of the largest invitation plus
// checksum, a separator per group, and generous room for whitespace).
inline constexpr size_t kMaxInvitationTextSize = 4 * (kMaxInvitationSize + kInvitationChecksumSize);

// Validates the binary form against `now_unix` (seconds). Errors:
//   kUnsupportedVersion  first byte is not kInvitationVersion
//   kInvalidArgument     truncated, trailing bytes, routing blob too long
//   kCryptoFailed        an X25519 key (identity, SPK, OPK) is non-canonical
//                        or of small order
//   kExpired             now_unix > expiry
//   kAuthFailed          identity binding or invitation signature invalid
Result<ValidatedInvitation> ParseInvitationBinary(ByteView bytes, uint64_t now_unix);

// Validates the text form. Errors as ParseInvitationBinary, plus
// kInvalidArgument for a missing prefix, a character outside the alphabet,
// non-zero Base32 padding bits, over-long text, or a checksum mismatch (the
// message then says "checksum" — most likely a typo).
Result<ValidatedInvitation> ParseInvitationText(std::string_view text, uint64_t now_unix);

// The text form. Not secret (the invitation is handed to the other side).
std::string EncodeInvitationText(const ValidatedInvitation& invitation);

}  // namespace attune::e2e
