#include "attune/e2e/invitation_codec.h"

#include <cstring>

#include "attune/crypto/ed25519.h"
#include "attune/crypto/hash.h"
#include "attune/crypto/util.h"
#include "attune/crypto/x25519.h"
#include "base32.h"
#include "invitation_layout.h"

namespace attune::e2e {

namespace layout = invitation_layout;

namespace {

ByteArray<kInvitationChecksumSize> Checksum(ByteView binary) {
  ByteArray<32> digest;
  crypto::Blake2bHasher hasher(digest.size());
  hasher.Update(AsBytes(kInvitationChecksumLabel)).Update(binary);
  hasher.Final(digest);
  ByteArray<kInvitationChecksumSize> out;
  std::memcpy(out.data(), digest.data(), out.size());
  return out;
}

bool IsIgnoredSeparator(char c) {
  return c == '-' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char ToUpperAscii(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

Result<ValidatedInvitation> ParseInvitationBinary(ByteView bytes, uint64_t now_unix) {
  // Layout and sizes first: no crypto on malformed input.
  if (bytes.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty invitation");
  if (bytes[layout::kVersion] != kInvitationVersion) {
    return MakeError(ErrorCode::kUnsupportedVersion, "unknown invitation version");
  }
  if (bytes.size() < kInvitationFixedSize) {
    return MakeError(ErrorCode::kInvalidArgument, "invitation is truncated");
  }
  const size_t routing_size = ReadU16BE(bytes.data() + layout::kRoutingLength);
  if (routing_size > kMaxRoutingBlobSize) {
    return MakeError(ErrorCode::kInvalidArgument, "invitation routing blob is too long");
  }
  if (bytes.size() != kInvitationFixedSize + routing_size) {
    return MakeError(ErrorCode::kInvalidArgument, "invitation size does not match its layout");
  }
  // Key encodings (cheap table look-ups) before expiry and signatures.
  if (!crypto::X25519IsValidPublicKey(
          crypto::ConstSpan<32>(bytes.data() + layout::kSignedPrekey, 32)) ||
      !crypto::X25519IsValidPublicKey(
          crypto::ConstSpan<32>(bytes.data() + layout::kOneTimePrekey, 32))) {
    return MakeError(ErrorCode::kCryptoFailed, "invitation prekey is unusable");
  }
  if (now_unix > ReadU64BE(bytes.data() + layout::kExpiry)) {
    return MakeError(ErrorCode::kExpired, "invitation has expired");
  }
  // Identity record (its X25519 key check and binding signature), then the
  // invitation's own signature over the exact bytes.
  ATTUNE_ASSIGN_OR_RETURN(PublicIdentity inviter, PublicIdentity::Parse(bytes.subspan(
                                                      layout::kIdentity, kIdentityRecordSize)));
  const size_t signed_size = layout::kRouting + routing_size;
  Bytes signed_message;
  signed_message.reserve(kInvitationSignatureLabel.size() + signed_size);
  Append(signed_message, kInvitationSignatureLabel);
  Append(signed_message, bytes.first(signed_size));
  if (!crypto::Ed25519Verify(inviter.signing_key(), signed_message, bytes.subspan(signed_size))) {
    return MakeError(ErrorCode::kAuthFailed, "invitation signature does not verify");
  }
  return ValidatedInvitation(inviter, Bytes(bytes.begin(), bytes.end()));
}

std::string EncodeInvitationText(const ValidatedInvitation& invitation) {
  Bytes payload = invitation.encoded();
  Append(payload, Checksum(invitation.encoded()));
  const std::string body = base32::Encode(payload);
  std::string out(kInvitationTextPrefix);
  out.reserve(out.size() + body.size() + body.size() / kInvitationTextGroupSize);
  for (size_t i = 0; i < body.size(); i += kInvitationTextGroupSize) {
    if (i != 0) out.push_back('-');
    out.append(body, i, kInvitationTextGroupSize);
  }
  return out;
}

Result<ValidatedInvitation> ParseInvitationText(std::string_view text, uint64_t now_unix) {
  if (text.size() > kMaxInvitationTextSize) {
    return MakeError(ErrorCode::kInvalidArgument, "invitation text is too long");
  }
  // Separators are dropped everywhere (the prefix included), so pasted,
  // wrapped or retyped text still parses; case is folded.
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (!IsIgnoredSeparator(c)) compact.push_back(ToUpperAscii(c));
  }
  // The prefix without its '-' (dropped above).
  const std::string_view prefix = kInvitationTextPrefix.substr(0, kInvitationTextPrefix.size() - 1);
  if (compact.compare(0, prefix.size(), prefix) != 0) {
    return MakeError(ErrorCode::kInvalidArgument, "not an Attune invitation (missing ATTUNE1-)");
  }
  compact.erase(0, prefix.size());
  std::optional<Bytes> payload = base32::Decode(compact);
  if (!payload) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invitation text is not valid Base32: a character outside A-Z and 2-7, or a "
                     "bad length (a typo?)");
  }
  if (payload->size() < kInvitationChecksumSize + 1) {
    return MakeError(ErrorCode::kInvalidArgument, "invitation text is truncated");
  }
  const ByteView binary = ByteView(*payload).first(payload->size() - kInvitationChecksumSize);
  const ByteArray<kInvitationChecksumSize> expected = Checksum(binary);
  if (!crypto::ConstantTimeEqual(expected, ByteView(*payload).last(kInvitationChecksumSize))) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invitation text checksum mismatch (a typo or a truncated copy?)");
  }
  return ParseInvitationBinary(binary, now_unix);
}

}  // namespace attune::e2e
