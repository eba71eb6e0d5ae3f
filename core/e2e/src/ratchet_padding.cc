// Padding (docs/PROTOCOL.md (part ratchet), "Padding"): the encrypted body is
//   u32-BE plaintext length || plaintext || zero bytes
// padded to the smallest power of two >= kMinPaddedSize that holds it. So a
// ciphertext's length reveals only one of 8 buckets (256 B .. 32 KiB): a
// short text and a check-in of similar size look the same. Powers of two
// waste at most half the bucket, bounded by the 256-byte floor for short
// messages, which are the common case.
#include <cstring>

#include "attune/crypto/util.h"
#include "attune/e2e/constants.h"
#include "attune/e2e/ratchet.h"

namespace attune::e2e {

static_assert((kMinPaddedSize & (kMinPaddedSize - 1)) == 0);
static_assert((kMaxPaddedSize & (kMaxPaddedSize - 1)) == 0);

Result<size_t> PaddedSize(size_t plaintext_size) {
  if (plaintext_size > kMaxPlaintextSize) {
    return MakeError(ErrorCode::kLimitExceeded, "plaintext longer than kMaxPlaintextSize");
  }
  const size_t needed = plaintext_size + kPaddingLengthPrefixSize;
  size_t bucket = kMinPaddedSize;
  while (bucket < needed) bucket <<= 1;
  return bucket;
}

bool IsValidPaddedSize(size_t n) {
  return n >= kMinPaddedSize && n <= kMaxPaddedSize && (n & (n - 1)) == 0;
}

void Pad(ByteView plaintext, MutableByteView out) {
  const uint32_t len = static_cast<uint32_t>(plaintext.size());
  out[0] = static_cast<uint8_t>(len >> 24);
  out[1] = static_cast<uint8_t>(len >> 16);
  out[2] = static_cast<uint8_t>(len >> 8);
  out[3] = static_cast<uint8_t>(len);
  if (!plaintext.empty()) {
    std::memcpy(out.data() + kPaddingLengthPrefixSize, plaintext.data(), plaintext.size());
  }
  const size_t used = kPaddingLengthPrefixSize + plaintext.size();
  std::memset(out.data() + used, 0, out.size() - used);
}

Result<ByteView> Unpad(ByteView padded) {
  if (padded.size() < kPaddingLengthPrefixSize) {
    return MakeError(ErrorCode::kInvalidArgument, "padded body too short");
  }
  const uint32_t len = ReadU32BE(padded.data());
  if (len > padded.size() - kPaddingLengthPrefixSize) {
    return MakeError(ErrorCode::kInvalidArgument, "padding length out of range");
  }
  // Strict: the padding must be zeros, so a body has exactly one encoding.
  const ByteView padding = padded.subspan(kPaddingLengthPrefixSize + len);
  if (!crypto::IsAllZero(padding)) {
    return MakeError(ErrorCode::kInvalidArgument, "non-zero padding");
  }
  return padded.subspan(kPaddingLengthPrefixSize, len);
}

}  // namespace attune::e2e
