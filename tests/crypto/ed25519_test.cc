// Ed25519 (ed25519.h): RFC 8032 known answers, sign/verify and refusal of
// anything but an exact 64-byte signature over the exact message.
#include "attune/crypto/ed25519.h"

#include <gtest/gtest.h>

#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/testing/vectors.h"

namespace attune::crypto {
namespace {

using ::attune::testing::HexToBytes;

class Ed25519Test : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Init().ok()); }
};

struct Rfc8032Case {
  const char* seed = nullptr;
  const char* public_key = nullptr;
  const char* message = nullptr;
  const char* signature = nullptr;
};

// RFC 8032 section 7.1, tests 1 and 2.
constexpr Rfc8032Case kRfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

TEST_F(Ed25519Test, Rfc8032KnownAnswers) {
  for (const auto& c : kRfc8032) {
    const Bytes seed = HexToBytes(c.seed);
    ASSERT_EQ(seed.size(), kEd25519SeedSize);
    const auto key = Ed25519KeyPairFromSeed(ConstSpan<kEd25519SeedSize>(seed.data(), seed.size()));
    EXPECT_EQ(ToHex(key.public_key), c.public_key);
    EXPECT_TRUE(ConstantTimeEqual(key.seed.view(), seed));
    const Bytes msg = HexToBytes(c.message);
    const auto sig = Ed25519Sign(key, msg);
    EXPECT_EQ(ToHex(sig), c.signature);
    EXPECT_TRUE(Ed25519Verify(key.public_key, msg, sig));
  }
}

TEST_F(Ed25519Test, VerifyRejectsAnyChange) {
  DeterministicRandom rng("ed25519");
  const auto key = GenerateEd25519KeyPair(rng);
  const Bytes msg = {'s', 'i', 'g', 'n', 'e', 'd'};
  const auto sig = Ed25519Sign(key, msg);
  ASSERT_TRUE(Ed25519Verify(key.public_key, msg, sig));

  Bytes other_msg = msg;
  other_msg[0] ^= 1;
  EXPECT_FALSE(Ed25519Verify(key.public_key, other_msg, sig));
  for (size_t i : {0, 31, 32, 63}) {
    auto bad = sig;
    bad[i] ^= 0x01;
    EXPECT_FALSE(Ed25519Verify(key.public_key, msg, bad)) << i;
  }
  const auto other_key = GenerateEd25519KeyPair(rng);
  EXPECT_FALSE(Ed25519Verify(other_key.public_key, msg, sig));
}

TEST_F(Ed25519Test, VerifyRejectsWrongSignatureLength) {
  DeterministicRandom rng("ed25519-length");
  const auto key = GenerateEd25519KeyPair(rng);
  const Bytes msg = {'m'};
  const auto sig = Ed25519Sign(key, msg);
  EXPECT_FALSE(Ed25519Verify(key.public_key, msg, ByteView(sig).first(63)));
  Bytes longer(sig.begin(), sig.end());
  longer.push_back(0);
  EXPECT_FALSE(Ed25519Verify(key.public_key, msg, longer));
  EXPECT_FALSE(Ed25519Verify(key.public_key, msg, ByteView()));
}

TEST_F(Ed25519Test, CloneSignsIdentically) {
  DeterministicRandom rng("ed25519-clone");
  const auto key = GenerateEd25519KeyPair(rng);
  const auto copy = key.Clone();
  EXPECT_EQ(copy.public_key, key.public_key);
  EXPECT_NE(copy.seed.data(), key.seed.data());
  EXPECT_EQ(Ed25519Sign(copy, AsBytes("x")), Ed25519Sign(key, AsBytes("x")));
}

TEST_F(Ed25519Test, GenerationIsDrivenByTheRandomSource) {
  DeterministicRandom r1("same"), r2("same");
  EXPECT_EQ(GenerateEd25519KeyPair(r1).public_key, GenerateEd25519KeyPair(r2).public_key);
  EXPECT_NE(GenerateEd25519KeyPair(r1).public_key,
            GenerateEd25519KeyPair(SystemRandom()).public_key);
}

}  // namespace
}  // namespace attune::crypto
