// Safety numbers: what two people compare (read aloud or by scanning a QR
// code) to know that no one sits between them (docs/PROTOCOL.md, "Safety
// numbers"). Signal's numeric fingerprint scheme with Attune's inputs:
//
//   per side:  h = SHA-512(u16-BE kSafetyNumberVersion || key bytes || device id)
//              repeat kSafetyNumberIterations times: h = SHA-512(h || key bytes)
//              where key bytes = Ed25519 public || X25519 public (64 bytes)
//   digits:    h[0, 30) as six 5-byte big-endian integers, each mod 100000,
//              each written as 5 decimal digits -> 30 digits
//   number:    the two sides' 30-digit strings, smaller first (so both sides
//              show the same 60 digits), shown as 12 groups of 5
//   QR:        kSafetyNumberQrVersion || h_first[0, 32) || h_second[0, 32),
//              sides in the same order as the digits (65 bytes)
//
// The iteration count (Signal's 5200) makes finding a second key pair whose
// 30 digits collide with a given one cost about 2^112 hash calls.
#pragma once

#include <cstdint>
#include <string>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/e2e/identity.h"

namespace attune::e2e {

inline constexpr uint16_t kSafetyNumberVersion = 0;
inline constexpr uint32_t kSafetyNumberIterations = 5200;
inline constexpr size_t kSafetyNumberDigits = 60;
inline constexpr size_t kSafetyNumberGroups = 12;
inline constexpr size_t kSafetyNumberGroupSize = 5;
inline constexpr uint8_t kSafetyNumberQrVersion = 1;
inline constexpr size_t kSafetyNumberQrSize = 1 + 32 + 32;

class SafetyNumber {
 public:
  // Same result for (a, b) and (b, a). Takes about 2 x 5200 SHA-512 calls:
  // compute it when the user opens the screen, not per message.
  static SafetyNumber Compute(const PublicIdentity& a, const PublicIdentity& b);

  // 60 decimal digits, no separators.
  const std::string& digits() const { return digits_; }
  // 12 groups of 5 digits separated by single spaces.
  std::string Display() const;
  const ByteArray<kSafetyNumberQrSize>& qr_payload() const { return qr_; }

 private:
  SafetyNumber() = default;
  std::string digits_{};
  ByteArray<kSafetyNumberQrSize> qr_{};
};

// Compares a scanned QR payload with ours in constant time. Errors:
//   kInvalidArgument     wrong size
//   kUnsupportedVersion  unknown first byte
//   kAuthFailed          the payloads differ: a key changed or someone is in
//                        the middle; do not mark the contact verified
Status CompareSafetyNumberQr(const SafetyNumber& ours, ByteView scanned);

}  // namespace attune::e2e
