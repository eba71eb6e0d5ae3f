// Enrollment code: how a clinic's admin hands a therapist everything their
// first run needs — the relay's address, its static public key and a clinic
// credential — as one string or file (docs/PROTOCOL.md (part mailbox) §9).
//
//   "attune-enroll1:" base64url-without-padding(record)
//   record = version (1) || host_len (1) || host || port (2, big-endian)
//            || relay_public_key (32) || credential (32) || checksum (4)
//   checksum = BLAKE2b-256(kEnrollmentChecksumLabel || all bytes before it)[0..4)
//
// The one encoder (attune-relay `enrollment issue`) and the one parser (the
// client's first run, client/app enrollment.h) share this file, so the two
// sides cannot drift. The code holds a secret (the credential): it is built
// and parsed in wiped memory and never logged.
//
// Checks run cheapest first: prefix, size, characters, checksum (a mistyped
// code fails here), version, layout, host characters, port, key validity.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/secret.h"
#include "attune/crypto/x25519.h"
#include "attune/mailbox/constants.h"

namespace attune::mailbox {

inline constexpr std::string_view kEnrollmentPrefix = "attune-enroll1:";
inline constexpr std::string_view kEnrollmentChecksumLabel = "attune-relay/v1/enrollment-checksum";
inline constexpr uint8_t kEnrollmentVersion = 1;
inline constexpr size_t kEnrollmentChecksumSize = 4;
inline constexpr size_t kMaxEnrollmentHostSize = 253;  // a DNS name's longest text form
// Longest accepted input: prefix, base64 of the largest record, and room for
// whitespace and line breaks (a pasted or wrapped code).
inline constexpr size_t kMaxEnrollmentTextSize = 1024;

// A validated enrollment: only ParseEnrollment builds one from text.
struct Enrollment {
  std::string host{};  // a DNS name or an IP literal (IPv6 without brackets)
  uint16_t port = 0;
  crypto::X25519PublicKey relay_public_key{};
  crypto::SecretArray<kTokenSize> credential{};
};

// The text form (no trailing newline), in wiped memory. kInvalidArgument
// when the host is empty, too long or has characters outside
// [A-Za-z0-9.-:], or the port is 0.
Result<crypto::SecretBytes> EncodeEnrollment(const Enrollment& enrollment);

// "HOST:PORT" (IPv6 as "[addr]:PORT") as an admin or a therapist types it.
// kInvalidArgument when malformed, port 0 or the host is empty or longer
// than kMaxEnrollmentHostSize.
Result<std::pair<std::string, uint16_t>> ParseRelayAddress(std::string_view text);

// Parses the text form. Leading and trailing whitespace and whitespace
// inside the code (a wrapped line) are ignored. Errors:
//   kInvalidArgument     no prefix, too long, a character outside base64url,
//                        a checksum mismatch (the message says "mistyped"),
//                        wrong layout, trailing bytes, a bad host or port 0
//   kUnsupportedVersion  a version this build does not know
//   kCryptoFailed        the relay key is not a valid X25519 public key
Result<Enrollment> ParseEnrollment(std::string_view text);

}  // namespace attune::mailbox
