#include "attune/e2e/ratchet_message.h"

#include <cstring>

#include "attune/e2e/ratchet.h"

namespace attune::e2e {

static_assert(kWirePrefixSize == 81);
static_assert(kMinWireMessageSize == 97 + kMinPaddedSize);

ByteArray<kHeaderSize> RatchetHeader::Encode() const {
  ByteArray<kHeaderSize> out;
  std::memcpy(out.data(), dh.data(), 32);
  for (int i = 0; i < 4; ++i) {
    out[32 + i] = static_cast<uint8_t>(pn >> (24 - 8 * i));
    out[36 + i] = static_cast<uint8_t>(n >> (24 - 8 * i));
  }
  return out;
}

RatchetHeader RatchetHeader::Decode(crypto::ConstSpan<kHeaderSize> bytes) {
  RatchetHeader h;
  std::memcpy(h.dh.data(), bytes.data(), 32);
  h.pn = ReadU32BE(bytes.data() + 32);
  h.n = ReadU32BE(bytes.data() + 36);
  return h;
}

Result<RatchetMessageView> RatchetMessageView::Parse(ByteView wire) {
  // Cheap checks first: nothing is decrypted for a message no sender could
  // have produced.
  if (wire.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty ratchet message");
  if (wire[0] != kRatchetWireVersion && wire[0] != kRatchetWireVersionV1) {
    return MakeError(ErrorCode::kUnsupportedVersion, "unknown ratchet message version");
  }
  if (wire.size() < kMinWireMessageSize || wire.size() > kMaxWireMessageSize) {
    return MakeError(ErrorCode::kInvalidArgument, "ratchet message size out of range");
  }
  if (!IsValidPaddedSize(wire.size() - kWirePrefixSize - kAeadTagSize)) {
    return MakeError(ErrorCode::kInvalidArgument, "ratchet message body is not a padding bucket");
  }
  return RatchetMessageView(wire);
}

Result<size_t> WireMessageSize(size_t plaintext_size) {
  ATTUNE_ASSIGN_OR_RETURN(const size_t padded, PaddedSize(plaintext_size));
  return kWirePrefixSize + padded + kAeadTagSize;
}

}  // namespace attune::e2e
