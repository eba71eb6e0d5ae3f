// X25519 (x25519.h): RFC 7748 known answers and low-order rejection. The edge
// cases are in wycheproof_x25519_test.cc.
#include "attune/crypto/x25519.h"

#include <gtest/gtest.h>

#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/testing/vectors.h"

namespace attune::crypto {
namespace {

using ::attune::testing::HexToBytes;

ByteArray<32> Key(const std::string& hex) {
  const Bytes b = HexToBytes(hex);
  ByteArray<32> k{};
  EXPECT_EQ(b.size(), k.size());
  std::copy_n(b.begin(), std::min(b.size(), k.size()), k.begin());
  return k;
}

class X25519Test : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Init().ok()); }
};

// RFC 7748 section 6.1.
TEST_F(X25519Test, Rfc7748AliceAndBob) {
  const auto alice_priv = Key("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const auto bob_priv = Key("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  const auto alice = X25519KeyPairFromPrivate(alice_priv);
  const auto bob = X25519KeyPairFromPrivate(bob_priv);
  EXPECT_EQ(ToHex(alice.public_key),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(ToHex(bob.public_key),
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  EXPECT_TRUE(ConstantTimeEqual(alice.private_key.view(), alice_priv));

  const char* kShared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
  auto ab = X25519(alice.private_key.span(), bob.public_key);
  auto ba = X25519(bob.private_key.span(), alice.public_key);
  ASSERT_TRUE(ab.ok());
  ASSERT_TRUE(ba.ok());
  EXPECT_EQ(ToHex(ab->view()), kShared);
  EXPECT_EQ(ToHex(ba->view()), kShared);
}

// RFC 7748 section 5.2, first test vector.
TEST_F(X25519Test, Rfc7748ScalarMultiplication) {
  auto out = X25519(Key("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                    Key("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(ToHex(out->view()), "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
}

TEST_F(X25519Test, GeneratedPairsAgreeBothWays) {
  DeterministicRandom rng("x25519-agree");
  auto a = GenerateX25519KeyPair(rng);
  auto b = GenerateX25519KeyPair(rng);
  auto ab = X25519(a.private_key.span(), b.public_key);
  auto ba = X25519(b.private_key.span(), a.public_key);
  ASSERT_TRUE(ab.ok());
  ASSERT_TRUE(ba.ok());
  EXPECT_TRUE(ConstantTimeEqual(ab->view(), ba->view()));
  EXPECT_FALSE(IsAllZero(ab->view()));
  EXPECT_TRUE(X25519IsValidPublicKey(a.public_key));
  EXPECT_TRUE(X25519IsValidPublicKey(b.public_key));
  // The public key is a function of the private key alone.
  EXPECT_EQ(X25519KeyPairFromPrivate(a.private_key.span()).public_key, a.public_key);
}

TEST_F(X25519Test, GenerationIsDrivenByTheRandomSource) {
  DeterministicRandom r1("same"), r2("same"), r3("other");
  EXPECT_EQ(GenerateX25519KeyPair(r1).public_key, GenerateX25519KeyPair(r2).public_key);
  EXPECT_NE(GenerateX25519KeyPair(r1).public_key, GenerateX25519KeyPair(r3).public_key);
}

TEST_F(X25519Test, LowOrderPublicKeysAreRefused) {
  DeterministicRandom rng("low-order");
  const auto me = GenerateX25519KeyPair(rng);
  // u = 0, u = 1 and the order-8 point from RFC 7748 / Wycheproof.
  for (const char* hex : {"0000000000000000000000000000000000000000000000000000000000000000",
                          "0100000000000000000000000000000000000000000000000000000000000000",
                          "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"}) {
    EXPECT_FALSE(X25519IsValidPublicKey(Key(hex))) << hex;
    auto shared = X25519(me.private_key.span(), Key(hex));
    ASSERT_FALSE(shared.ok()) << hex;
    EXPECT_EQ(shared.error().code, ErrorCode::kCryptoFailed) << hex;
  }
}

}  // namespace
}  // namespace attune::crypto
