#include "attune/e2e/identity.h"

#include <cstring>

namespace attune::e2e {
namespace {

// kIdentityBindingLabel || signing key || agreement key || device id.
Bytes BindingMessage(ByteView key_bytes) {
  Bytes message;
  message.reserve(kIdentityBindingLabel.size() + key_bytes.size());
  Append(message, kIdentityBindingLabel);
  Append(message, key_bytes);
  return message;
}

}  // namespace

Result<PublicIdentity> PublicIdentity::Parse(ByteView record) {
  if (record.size() != kIdentityRecordSize) {
    return MakeError(ErrorCode::kInvalidArgument, "identity record has the wrong size");
  }
  // Cheap checks before the signature.
  if (!crypto::X25519IsValidPublicKey(crypto::ConstSpan<32>(record.data() + 32, 32))) {
    return MakeError(ErrorCode::kCryptoFailed, "identity agreement key is unusable");
  }
  const ByteView key_bytes = record.first(kIdentityKeyBytesSize);
  if (!crypto::Ed25519Verify(crypto::ConstSpan<32>(record.data(), 32), BindingMessage(key_bytes),
                             record.subspan(kIdentityKeyBytesSize))) {
    return MakeError(ErrorCode::kAuthFailed, "identity binding signature does not verify");
  }
  ByteArray<kIdentityRecordSize> copy;
  std::memcpy(copy.data(), record.data(), kIdentityRecordSize);
  return PublicIdentity(copy);
}

Identity::Identity(crypto::Ed25519KeyPair signing, crypto::LockedSecret<32> agreement_private,
                   PublicIdentity public_identity)
    : signing_(std::move(signing)),
      agreement_private_(std::move(agreement_private)),
      public_(public_identity) {}

Identity Identity::FromSecrets(crypto::ConstSpan<32> seed, crypto::ConstSpan<32> agreement_private,
                               crypto::ConstSpan<kDeviceIdSize> device_id) {
  crypto::Ed25519KeyPair signing = crypto::Ed25519KeyPairFromSeed(seed);
  const crypto::X25519KeyPair agreement = crypto::X25519KeyPairFromPrivate(agreement_private);
  Bytes key_bytes;
  key_bytes.reserve(kIdentityKeyBytesSize);
  Append(key_bytes, signing.public_key);
  Append(key_bytes, agreement.public_key);
  Append(key_bytes, device_id);
  const crypto::Ed25519Signature signature =
      crypto::Ed25519Sign(signing, BindingMessage(key_bytes));
  ByteArray<kIdentityRecordSize> record;
  std::memcpy(record.data(), key_bytes.data(), kIdentityKeyBytesSize);
  std::memcpy(record.data() + kIdentityKeyBytesSize, signature.data(), signature.size());
  return Identity(std::move(signing), crypto::LockedSecret<32>(agreement.private_key.span()),
                  PublicIdentity(record));
}

Identity Identity::Generate(crypto::RandomSource& random) {
  const crypto::SecretArray<32> seed = random.Secret<32>();
  const crypto::SecretArray<32> agreement = random.Secret<32>();
  const DeviceId device_id = random.Array<kDeviceIdSize>();
  return FromSecrets(seed.span(), agreement.span(), device_id);
}

Result<Identity> Identity::Deserialize(ByteView stored) {
  if (stored.size() != kPrivateIdentitySize) {
    return MakeError(ErrorCode::kInvalidArgument, "stored identity has the wrong size");
  }
  if (stored[0] != kPrivateIdentityVersion) {
    return MakeError(ErrorCode::kUnsupportedVersion, "stored identity has an unknown version");
  }
  // Any 32 bytes are a valid seed and (after X25519's clamping) a valid
  // scalar whose public key is in the prime-order subgroup.
  return FromSecrets(crypto::ConstSpan<32>(stored.data() + 1, 32),
                     crypto::ConstSpan<32>(stored.data() + 33, 32),
                     crypto::ConstSpan<kDeviceIdSize>(stored.data() + 65, kDeviceIdSize));
}

crypto::SecretBytes Identity::Serialize() const {
  crypto::SecretBytes out(kPrivateIdentitySize);
  out.data()[0] = kPrivateIdentityVersion;
  std::memcpy(out.data() + 1, signing_.seed.data(), 32);
  std::memcpy(out.data() + 33, agreement_private_.data(), 32);
  std::memcpy(out.data() + 65, public_.device_id().data(), kDeviceIdSize);
  return out;
}

Identity Identity::Clone() const {
  return Identity(signing_.Clone(), agreement_private_.Clone(), public_);
}

crypto::Ed25519Signature Identity::Sign(ByteView message) const {
  return crypto::Ed25519Sign(signing_, message);
}

Result<crypto::SecretArray<32>> Identity::Agree(crypto::ConstSpan<32> peer_public) const {
  return crypto::X25519(agreement_private_.span(), peer_public);
}

}  // namespace attune::e2e
