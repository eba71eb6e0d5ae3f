// Identity records: parse-don't-validate, binding signature, strict storage.
#include "attune/e2e/identity.h"

#include <gtest/gtest.h>

#include "attune/crypto/util.h"
#include "attune/crypto/x25519.h"
#include "attune/testing/vectors.h"

namespace attune::e2e {
namespace {

Bytes RecordBytes(const PublicIdentity& id) {
  return Bytes(id.record().begin(), id.record().end());
}

// A record for `keys` (signing || agreement || device id) signed by `signer`
// exactly as docs/PROTOCOL.md (part x3dh) says.
Bytes SignedRecord(const Identity& signer, ByteView key_bytes) {
  Bytes message;
  Append(message, kIdentityBindingLabel);
  Append(message, key_bytes);
  Bytes record(key_bytes.begin(), key_bytes.end());
  Append(record, signer.Sign(message));
  return record;
}

TEST(IdentityTest, GeneratedRecordParsesToTheSameIdentity) {
  crypto::DeterministicRandom random("identity-test");
  const Identity identity = Identity::Generate(random);
  auto parsed = PublicIdentity::Parse(RecordBytes(identity.public_identity()));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, identity.public_identity());
  // The documented layout: the signature covers label || first 80 bytes.
  EXPECT_EQ(SignedRecord(identity, identity.public_identity().key_bytes()),
            RecordBytes(identity.public_identity()));
}

TEST(IdentityTest, DifferentSeedsGiveDifferentKeysAndDeviceIds) {
  crypto::DeterministicRandom r1("identity-a"), r2("identity-b");
  const Identity a = Identity::Generate(r1);
  const Identity b = Identity::Generate(r2);
  EXPECT_FALSE(a.public_identity() == b.public_identity());
  EXPECT_FALSE(
      crypto::ConstantTimeEqual(a.public_identity().device_id(), b.public_identity().device_id()));
}

TEST(IdentityTest, EveryFlippedBitOfARecordIsRejected) {
  crypto::DeterministicRandom random("identity-flip");
  const Bytes good = RecordBytes(Identity::Generate(random).public_identity());
  for (size_t bit = 0; bit < good.size() * 8; ++bit) {
    Bytes bad = good;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto parsed = PublicIdentity::Parse(bad);
    ASSERT_FALSE(parsed.ok()) << "bit " << bit;
    EXPECT_TRUE(parsed.error().code == ErrorCode::kAuthFailed ||
                parsed.error().code == ErrorCode::kCryptoFailed)
        << "bit " << bit << ": " << parsed.error().ToString();
  }
}

TEST(IdentityTest, WrongSizesAreRejected) {
  crypto::DeterministicRandom random("identity-size");
  Bytes record = RecordBytes(Identity::Generate(random).public_identity());
  record.push_back(0);
  EXPECT_EQ(PublicIdentity::Parse(record).error().code, ErrorCode::kInvalidArgument);
  record.resize(kIdentityRecordSize - 1);
  EXPECT_EQ(PublicIdentity::Parse(record).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(PublicIdentity::Parse({}).error().code, ErrorCode::kInvalidArgument);
}

TEST(IdentityTest, SmallOrderAgreementKeyIsRejectedEvenWhenSigned) {
  crypto::DeterministicRandom random("identity-low-order");
  const Identity identity = Identity::Generate(random);
  Bytes keys(identity.public_identity().key_bytes().begin(),
             identity.public_identity().key_bytes().end());
  // u = 1: a point of order 4, signed by the genuine signing key.
  std::fill(keys.begin() + 32, keys.begin() + 64, 0);
  keys[32] = 1;
  auto parsed = PublicIdentity::Parse(SignedRecord(identity, keys));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kCryptoFailed);
}

TEST(IdentityTest, PrivateIdentityRoundTripsAndIsStrict) {
  crypto::DeterministicRandom random("identity-store");
  const Identity identity = Identity::Generate(random);
  const crypto::SecretBytes stored = identity.Serialize();
  ASSERT_EQ(stored.size(), kPrivateIdentitySize);
  auto restored = Identity::Deserialize(stored.view());
  ASSERT_TRUE(restored.ok()) << restored.error().ToString();
  EXPECT_EQ(restored->public_identity(), identity.public_identity());
  // The restored keys work: both agree on the same secret with a third key.
  const crypto::X25519KeyPair other = crypto::GenerateX25519KeyPair(random);
  auto s1 = identity.Agree(other.public_key);
  auto s2 = restored->Agree(other.public_key);
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_TRUE(crypto::ConstantTimeEqual(s1->view(), s2->view()));

  Bytes bytes(stored.view().begin(), stored.view().end());
  Bytes wrong_version = bytes;
  wrong_version[0] = kPrivateIdentityVersion + 1;
  EXPECT_EQ(Identity::Deserialize(wrong_version).error().code, ErrorCode::kUnsupportedVersion);
  Bytes trailing = bytes;
  trailing.push_back(0);
  EXPECT_EQ(Identity::Deserialize(trailing).error().code, ErrorCode::kInvalidArgument);
  Bytes truncated(bytes.begin(), bytes.end() - 1);
  EXPECT_EQ(Identity::Deserialize(truncated).error().code, ErrorCode::kInvalidArgument);
  crypto::SecureZero(bytes.data(), bytes.size());
}

TEST(IdentityTest, AgreementIsSymmetricAndRejectsSmallOrderPeers) {
  crypto::DeterministicRandom random("identity-agree");
  const Identity a = Identity::Generate(random);
  const Identity b = Identity::Generate(random);
  auto ab = a.Agree(b.public_identity().agreement_key());
  auto ba = b.Agree(a.public_identity().agreement_key());
  ASSERT_TRUE(ab.ok() && ba.ok());
  EXPECT_TRUE(crypto::ConstantTimeEqual(ab->view(), ba->view()));
  const crypto::X25519PublicKey zero{};
  EXPECT_EQ(a.Agree(zero).error().code, ErrorCode::kCryptoFailed);
}

// X25519IsValidPublicKey (core/crypto) against every Wycheproof X25519 case:
// a key that drives X25519 to all zero must be refused, and a canonical key
// that does not must be accepted.
TEST(IdentityTest, X25519KeyCheckAgreesWithWycheproof) {
  ATTUNE_REQUIRE_SHARED_VECTORS(dir);
  auto json = attune::testing::LoadJson(dir / "wycheproof" / "x25519_test.json");
  ASSERT_TRUE(json);
  size_t low_order = 0, accepted = 0;
  for (const auto& group : (*json)["testGroups"]) {
    for (const auto& test : group["tests"]) {
      const Bytes pub = attune::testing::HexToBytes(test["public"].get<std::string>());
      const Bytes shared = attune::testing::HexToBytes(test["shared"].get<std::string>());
      if (pub.size() != 32) continue;
      const bool valid = crypto::X25519IsValidPublicKey(crypto::ConstSpan<32>(pub.data(), 32));
      const bool canonical =
          (pub[31] & 0x80) == 0 &&
          !(pub[31] == 0x7f && pub[0] >= 0xed &&
            std::all_of(pub.begin() + 1, pub.begin() + 31, [](uint8_t b) { return b == 0xff; }));
      if (crypto::IsAllZero(shared)) {
        EXPECT_FALSE(valid) << test["tcId"];
        ++low_order;
      } else if (canonical) {
        EXPECT_TRUE(valid) << test["tcId"];
        ++accepted;
      } else {
        EXPECT_FALSE(valid) << test["tcId"];
      }
    }
  }
  EXPECT_GT(low_order, 10u);
  EXPECT_GT(accepted, 100u);
}

}  // namespace
}  // namespace attune::e2e
