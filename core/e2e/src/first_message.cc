#include "attune/e2e/first_message.h"

#include <cassert>
#include <cstring>

#include "attune/crypto/hash.h"
#include "attune/crypto/hkdf.h"

namespace attune::e2e {

// The sizes docs/PROTOCOL.md states.
static_assert(kIntroductionAdSize == 211);
static_assert(kMaxX3dhPrefixSize == 1251);
static_assert(kMinFirstMessageV2Size == 580);

Result<FirstMessageView> FirstMessageView::Parse(ByteView bytes) {
  if (bytes.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty first message");
  if (bytes[0] == kFirstMessageVersion) {
    if (bytes.size() < kMinFirstMessageSize || bytes.size() > kMaxFirstMessageSize) {
      return MakeError(ErrorCode::kInvalidArgument, "first message has an impossible size");
    }
    return FirstMessageView(bytes, kFirstMessageHeaderSize);
  }
  if (bytes[0] != kFirstMessageTypeV2) {
    return MakeError(ErrorCode::kUnsupportedVersion, "unknown first-message version");
  }
  if (bytes.size() < kMinFirstMessageV2Size || bytes.size() > kMaxFirstMessageV2Size) {
    return MakeError(ErrorCode::kInvalidArgument, "first message has an impossible size");
  }
  const size_t sealed = (static_cast<size_t>(bytes[kFirstMessageHeaderSize]) << 8) |
                        bytes[kFirstMessageHeaderSize + 1];
  if (sealed < kMinSealedIntroductionSize || sealed > kMaxSealedIntroductionSize) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "first message introduction has an impossible size");
  }
  const size_t prefix = kIntroductionAdSize + sealed;
  if (bytes.size() < prefix + kMinWireMessageSize || bytes.size() > prefix + kMaxWireMessageSize) {
    return MakeError(ErrorCode::kInvalidArgument, "first message has an impossible size");
  }
  return FirstMessageView(bytes, prefix);
}

InvitationId FirstMessageView::invitation_id() const {
  InvitationId id;
  std::memcpy(id.data(), bytes_.data() + 1, kInvitationIdSize);
  return id;
}

ByteArray<32> FirstMessageHash(ByteView bytes) {
  ByteArray<32> out;
  crypto::Blake2bHasher hasher(out.size());
  hasher.Update(AsBytes(kFirstMessageHashLabel)).Update(bytes);
  hasher.Final(out);
  return out;
}

ByteArray<32> ConsumedHash(const FirstMessageView& view) {
  return FirstMessageHash(view.is_v2() ? view.x3dh_prefix() : view.bytes());
}

namespace {

IdentitySealKey DeriveSealKey(crypto::ConstSpan<32> ikm, std::string_view label, ByteView suffix) {
  Bytes info;
  info.reserve(label.size() + suffix.size());
  Append(info, label);
  Append(info, suffix);
  crypto::SecretArray<56> okm;
  // Cannot fail: 56 bytes is far below 255 * 32.
  const Status status = crypto::Hkdf(crypto::HkdfHash::kSha256, {}, ikm, info, okm.mutable_span());
  assert(status.ok());
  (void)status;
  IdentitySealKey out;
  std::memcpy(out.key.data(), okm.data(), 32);
  std::memcpy(out.nonce.data(), okm.data() + 32, 24);
  return out;
}

}  // namespace

IdentitySealKey DeriveIdentitySealKey(crypto::ConstSpan<32> dh3, ByteView public_header) {
  return DeriveSealKey(dh3, kIdentitySealLabel, public_header);
}

IdentitySealKey DeriveIntroductionSealKey(crypto::ConstSpan<32> root_key,
                                          ByteView introduction_ad) {
  return DeriveSealKey(root_key, kIntroductionSealLabel, introduction_ad);
}

}  // namespace attune::e2e
