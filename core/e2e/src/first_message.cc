#include "attune/e2e/first_message.h"

#include <cassert>
#include <cstring>

#include "attune/crypto/hash.h"
#include "attune/crypto/hkdf.h"

namespace attune::e2e {

Result<FirstMessageView> FirstMessageView::Parse(ByteView bytes) {
  if (bytes.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty first message");
  if (bytes[0] != kFirstMessageVersion) {
    return MakeError(ErrorCode::kUnsupportedVersion, "unknown first-message version");
  }
  if (bytes.size() < kMinFirstMessageSize || bytes.size() > kMaxFirstMessageSize) {
    return MakeError(ErrorCode::kInvalidArgument, "first message has an impossible size");
  }
  return FirstMessageView(bytes);
}

InvitationId FirstMessageView::invitation_id() const {
  InvitationId id;
  std::memcpy(id.data(), bytes_.data() + 1, kInvitationIdSize);
  return id;
}

ByteArray<32> FirstMessageHash(ByteView first_message) {
  ByteArray<32> out;
  crypto::Blake2bHasher hasher(out.size());
  hasher.Update(AsBytes(kFirstMessageHashLabel)).Update(first_message);
  hasher.Final(out);
  return out;
}

IdentitySealKey DeriveIdentitySealKey(crypto::ConstSpan<32> dh3, ByteView public_header) {
  Bytes info;
  info.reserve(kIdentitySealLabel.size() + public_header.size());
  Append(info, kIdentitySealLabel);
  Append(info, public_header);
  crypto::SecretArray<56> okm;
  // Cannot fail: 56 bytes is far below 255 * 32.
  const Status status = crypto::Hkdf(crypto::HkdfHash::kSha256, {}, dh3, info, okm.mutable_span());
  assert(status.ok());
  (void)status;
  IdentitySealKey out;
  std::memcpy(out.key.data(), okm.data(), 32);
  std::memcpy(out.nonce.data(), okm.data() + 32, 24);
  return out;
}

}  // namespace attune::e2e
