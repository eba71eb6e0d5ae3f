// Device identities (docs/PROTOCOL.md, "Identity record").
//
// Every device has a long-term Ed25519 signing key, a long-term X25519
// agreement key and a random device id. The signing key signs the agreement
// key and the device id, so one 144-byte record says "this device, with these
// two keys":
//
//   offset size  field
//        0   32  Ed25519 public key (signing key)
//       32   32  X25519 public key (agreement key)
//       64   16  device id
//       80   64  Ed25519 signature by the signing key over
//                kIdentityBindingLabel || bytes [0, 80)
//
// PublicIdentity can only be built by parsing and verifying such a record (or
// from a private Identity), so code holding one never has to re-check it.
#pragma once

#include <string_view>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/ed25519.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"
#include "attune/crypto/x25519.h"

namespace attune::e2e {

inline constexpr size_t kDeviceIdSize = 16;
using DeviceId = ByteArray<kDeviceIdSize>;

// Signing key || agreement key || device id: what the binding signature, the
// X3DH associated data and the safety number cover.
inline constexpr size_t kIdentityKeyBytesSize = 32 + 32 + kDeviceIdSize;
inline constexpr size_t kIdentityRecordSize = kIdentityKeyBytesSize + 64;
inline constexpr std::string_view kIdentityBindingLabel = "attune-e2e/v1/identity-binding";

// Stored private identity: version || Ed25519 seed || X25519 private || device id.
inline constexpr uint8_t kPrivateIdentityVersion = 1;
inline constexpr size_t kPrivateIdentitySize = 1 + 32 + 32 + kDeviceIdSize;

// A verified identity record. A plain value: copyable, public, comparable.
class PublicIdentity {
 public:
  // Parses a record. Errors (nothing else is produced):
  //   kInvalidArgument  size is not kIdentityRecordSize
  //   kCryptoFailed     the X25519 key is non-canonical or of small order
  //   kAuthFailed       the binding signature does not verify
  static Result<PublicIdentity> Parse(ByteView record);

  crypto::ConstSpan<32> signing_key() const { return crypto::ConstSpan<32>(record_.data(), 32); }
  crypto::ConstSpan<32> agreement_key() const {
    return crypto::ConstSpan<32>(record_.data() + 32, 32);
  }
  crypto::ConstSpan<kDeviceIdSize> device_id() const {
    return crypto::ConstSpan<kDeviceIdSize>(record_.data() + 64, kDeviceIdSize);
  }
  // The record without its signature (kIdentityKeyBytesSize bytes).
  ByteView key_bytes() const { return ByteView(record_.data(), kIdentityKeyBytesSize); }
  // The exact 144-byte record, as parsed or as signed.
  const ByteArray<kIdentityRecordSize>& record() const { return record_; }

  // Same keys and device id (the signature is deterministic, so this is also
  // record equality).
  bool operator==(const PublicIdentity& other) const { return record_ == other.record_; }

 private:
  friend class Identity;
  explicit PublicIdentity(const ByteArray<kIdentityRecordSize>& record) : record_(record) {}

  ByteArray<kIdentityRecordSize> record_{};
};

// This device's own identity, secrets included. Move-only; the private keys
// live in locked memory.
class Identity {
 public:
  // Draws, in this order: 32 bytes Ed25519 seed, 32 bytes X25519 private
  // key, 16 bytes device id (the order matters for test vectors).
  static Identity Generate(crypto::RandomSource& random);

  // Restores an identity written by Serialize. Errors:
  //   kInvalidArgument     wrong size
  //   kUnsupportedVersion  version byte is not kPrivateIdentityVersion
  static Result<Identity> Deserialize(ByteView stored);

  // kPrivateIdentitySize bytes for the client's encrypted store only.
  crypto::SecretBytes Serialize() const;

  Identity Clone() const;

  const PublicIdentity& public_identity() const { return public_; }

  // Ed25519 signature by the identity signing key. `message` must start with a
  // domain-separation label of the caller's construction.
  crypto::Ed25519Signature Sign(ByteView message) const;

  // X25519(agreement private key, peer_public). kCryptoFailed for a small-order
  // peer key.
  Result<crypto::SecretArray<32>> Agree(crypto::ConstSpan<32> peer_public) const;

 private:
  Identity(crypto::Ed25519KeyPair signing, crypto::LockedSecret<32> agreement_private,
           PublicIdentity public_identity);
  // Builds the record from the three secrets. Ed25519 signatures are
  // deterministic, so a restored identity has the very same record.
  static Identity FromSecrets(crypto::ConstSpan<32> seed, crypto::ConstSpan<32> agreement_private,
                              crypto::ConstSpan<kDeviceIdSize> device_id);

  crypto::Ed25519KeyPair signing_{};
  crypto::LockedSecret<32> agreement_private_{};
  PublicIdentity public_;
};

}  // namespace attune::e2e
