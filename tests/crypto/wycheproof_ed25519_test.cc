// Ed25519 verification against Wycheproof ed25519_test.json (150 vectors):
// every "valid" signature verifies and every "invalid" one (wrong length,
// trailing garbage, S >= L malleability, bad encodings, ...) is refused.
#include <gtest/gtest.h>

#include "attune/crypto/ed25519.h"
#include "attune/crypto/util.h"
#include "wycheproof_util.h"

namespace attune::crypto {
namespace {

using testing::Describe;
using testing::HexField;

TEST(WycheproofEd25519, AllVectors) {
  ATTUNE_REQUIRE_SHARED_VECTORS(shared);
  ASSERT_TRUE(Init().ok());
  auto json = testing::LoadWycheproof(shared, "ed25519_test.json", 150);
  ASSERT_TRUE(json);

  size_t run = 0, accepted = 0, rejected = 0;
  for (const auto& group : (*json)["testGroups"]) {
    const Bytes pk = HexField(group["publicKey"], "pk");
    ASSERT_EQ(pk.size(), kEd25519PublicKeySize);
    const ConstSpan<kEd25519PublicKeySize> public_key(pk.data(), kEd25519PublicKeySize);
    for (const auto& test : group["tests"]) {
      ++run;
      const Bytes msg = HexField(test, "msg");
      const Bytes sig = HexField(test, "sig");
      const std::string result = test["result"];
      ASSERT_TRUE(result == "valid" || result == "invalid") << Describe(test);
      const bool verified = Ed25519Verify(public_key, msg, sig);
      EXPECT_EQ(verified, result == "valid") << Describe(test);
      if (verified) {
        ++accepted;
      } else {
        ++rejected;
      }
    }
  }
  EXPECT_EQ(run, 150u);
  EXPECT_EQ(accepted, 88u);
  EXPECT_EQ(rejected, 62u);
}

}  // namespace
}  // namespace attune::crypto
