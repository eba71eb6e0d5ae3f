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

}  // namespace
}  // namespace attune::crypto
