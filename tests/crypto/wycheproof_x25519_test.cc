// X25519 against Wycheproof x25519_test.json (518 vectors).
//
// libsodium refuses an all-zero shared secret (crypto_scalarmult returns -1)
// and our X25519 turns that into kCryptoFailed. Wycheproof marks those 31
// vectors (flag ZeroSharedSecret, low-order public keys) "acceptable": either
// answer is allowed, so we pin ours. Every other vector, including public
// keys on the twist and non-canonical u-coordinates (RFC 7748 section 5: mask
// the top bit, reduce mod p), must give exactly the expected secret.
#include <gtest/gtest.h>

#include "attune/crypto/util.h"
#include "attune/crypto/x25519.h"
#include "wycheproof_util.h"

namespace attune::crypto {
namespace {

using testing::Describe;
using testing::HasFlag;
using testing::HexField;

TEST(WycheproofX25519, AllVectors) {
  ATTUNE_REQUIRE_SHARED_VECTORS(shared);
  ASSERT_TRUE(Init().ok());
  auto json = testing::LoadWycheproof(shared, "x25519_test.json", 518);
  ASSERT_TRUE(json);

  size_t run = 0, matched = 0, zero_rejected = 0, twist = 0, non_canonical = 0;
  for (const auto& group : (*json)["testGroups"]) {
    ASSERT_EQ(group["curve"], "curve25519");
    for (const auto& test : group["tests"]) {
      ++run;
      const Bytes priv = HexField(test, "private");
      const Bytes pub = HexField(test, "public");
      const Bytes expected = HexField(test, "shared");
      ASSERT_EQ(priv.size(), kX25519KeySize) << Describe(test);
      ASSERT_EQ(pub.size(), kX25519KeySize) << Describe(test);
      ASSERT_EQ(expected.size(), kX25519KeySize) << Describe(test);

      auto shared_secret = X25519(ConstSpan<kX25519KeySize>(priv.data(), kX25519KeySize),
                                  ConstSpan<kX25519KeySize>(pub.data(), kX25519KeySize));
      if (IsAllZero(expected)) {
        // Only Wycheproof's low-order cases produce zero.
        EXPECT_TRUE(HasFlag(test, "ZeroSharedSecret")) << Describe(test);
        ASSERT_FALSE(shared_secret.ok()) << Describe(test);
        EXPECT_EQ(shared_secret.error().code, ErrorCode::kCryptoFailed) << Describe(test);
        ++zero_rejected;
        continue;
      }
      ASSERT_TRUE(shared_secret.ok()) << Describe(test) << ": " << shared_secret.error().ToString();
      EXPECT_EQ(ToHex(shared_secret->view()), ToHex(expected)) << Describe(test);
      if (ConstantTimeEqual(shared_secret->view(), expected)) {
        ++matched;
        if (HasFlag(test, "Twist")) ++twist;
        if (HasFlag(test, "NonCanonicalPublic")) ++non_canonical;
      }
    }
  }
  EXPECT_EQ(run, 518u);
  EXPECT_EQ(matched, 487u);  // 265 valid + 222 acceptable
  EXPECT_EQ(zero_rejected, 31u);
  EXPECT_EQ(twist, 214u);         // 5 more Twist vectors are low-order (zero secret)
  EXPECT_EQ(non_canonical, 13u);  // 6 more are non-canonical low-order points
}

// u < p = 2^255 - 19 for a 32-byte little-endian u with the top bit clear,
// by subtracting p and looking at the final borrow.
bool BelowP(const Bytes& u) {
  ByteArray<32> p;
  p.fill(0xff);
  p[0] = 0xed;
  p[31] = 0x7f;
  int borrow = 0;
  for (size_t i = 0; i < 32; ++i) {
    const int diff = int{u[i]} - int{p[i]} - borrow;
    borrow = diff < 0 ? 1 : 0;
  }
  return borrow == 1;
}

// X25519IsValidPublicKey (used at parse time by the message layer) must
// accept exactly the canonical keys that X25519 agrees with: it refuses the
// 21 keys with the top bit set, the 8 with u >= p, and the 15 canonical
// small-order keys (all-zero secret); the other 474 pass.
TEST(WycheproofX25519, PublicKeyValidationMatchesAgreement) {
  ATTUNE_REQUIRE_SHARED_VECTORS(shared);
  ASSERT_TRUE(Init().ok());
  auto json = testing::LoadWycheproof(shared, "x25519_test.json", 518);
  ASSERT_TRUE(json);

  size_t valid = 0, top_bit = 0, not_reduced = 0, small_order = 0;
  for (const auto& group : (*json)["testGroups"]) {
    for (const auto& test : group["tests"]) {
      const Bytes pub = HexField(test, "public");
      ASSERT_EQ(pub.size(), kX25519KeySize) << Describe(test);
      const bool zero_secret = IsAllZero(HexField(test, "shared"));
      bool expected = false;
      if ((pub[31] & 0x80) != 0) {
        ++top_bit;
      } else if (!BelowP(pub)) {
        ++not_reduced;
      } else if (zero_secret) {
        ++small_order;
      } else {
        expected = true;
        ++valid;
      }
      EXPECT_EQ(X25519IsValidPublicKey(ConstSpan<kX25519KeySize>(pub.data(), kX25519KeySize)),
                expected)
          << Describe(test);
    }
  }
  EXPECT_EQ(valid, 474u);
  EXPECT_EQ(top_bit, 21u);
  EXPECT_EQ(not_reduced, 8u);
  EXPECT_EQ(small_order, 15u);
}

}  // namespace
}  // namespace attune::crypto
