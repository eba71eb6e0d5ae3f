// HKDF (RFC 5869) against Wycheproof hkdf_sha256_test.json (86 vectors) and
// hkdf_sha512_test.json (83 vectors). Valid vectors must reproduce okm, both
// through Hkdf() and through HkdfExtract + HkdfExpand; the "SizeTooLarge"
// vectors (size = 255 * HashLen + 1) must be refused with kInvalidArgument
// and leave the output zeroed.
#include <gtest/gtest.h>

#include "attune/crypto/hkdf.h"
#include "attune/crypto/util.h"
#include "wycheproof_util.h"

namespace attune::crypto {
namespace {

using testing::Describe;
using testing::HasFlag;
using testing::HexField;

struct HkdfCounts {
  size_t valid = 0;
  size_t too_large = 0;
};

HkdfCounts RunHkdfFile(const nlohmann::json& json, HkdfHash hash) {
  HkdfCounts counts;
  const size_t hash_len = HkdfHashLength(hash);
  for (const auto& group : json["testGroups"]) {
    for (const auto& test : group["tests"]) {
      const Bytes ikm = HexField(test, "ikm");
      const Bytes salt = HexField(test, "salt");
      const Bytes info = HexField(test, "info");
      const size_t size = test["size"].get<size_t>();
      Bytes okm(size, 0xaa);

      Status s = Hkdf(hash, salt, ikm, info, okm);
      if (test["result"] == "invalid") {
        ++counts.too_large;
        EXPECT_TRUE(HasFlag(test, "SizeTooLarge")) << Describe(test);
        EXPECT_GT(size, 255 * hash_len) << Describe(test);
        if (s.ok()) {
          ADD_FAILURE() << Describe(test) << ": oversized output accepted";
          continue;
        }
        EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << Describe(test);
        EXPECT_TRUE(IsAllZero(okm)) << Describe(test) << ": output not wiped on failure";
        continue;
      }
      ++counts.valid;
      EXPECT_EQ(test["result"], "valid") << Describe(test);
      if (!s.ok()) {
        ADD_FAILURE() << Describe(test) << ": " << s.ToString();
        continue;
      }
      const std::string expected = test["okm"];
      EXPECT_EQ(ToHex(okm), expected) << Describe(test);

      Bytes prk(hash_len);
      HkdfExtract(hash, salt, ikm, prk);
      Bytes okm2(size);
      EXPECT_TRUE(HkdfExpand(hash, prk, info, okm2).ok()) << Describe(test);
      EXPECT_EQ(ToHex(okm2), expected) << Describe(test);
    }
  }
  return counts;
}

TEST(WycheproofHkdf, Sha256) {
  ATTUNE_REQUIRE_SHARED_VECTORS(shared);
  ASSERT_TRUE(Init().ok());
  auto json = testing::LoadWycheproof(shared, "hkdf_sha256_test.json", 86);
  ASSERT_TRUE(json);
  HkdfCounts c = RunHkdfFile(*json, HkdfHash::kSha256);
  EXPECT_EQ(c.valid, 83u);
  EXPECT_EQ(c.too_large, 3u);
}

TEST(WycheproofHkdf, Sha512) {
  ATTUNE_REQUIRE_SHARED_VECTORS(shared);
  ASSERT_TRUE(Init().ok());
  auto json = testing::LoadWycheproof(shared, "hkdf_sha512_test.json", 83);
  ASSERT_TRUE(json);
  HkdfCounts c = RunHkdfFile(*json, HkdfHash::kSha512);
  EXPECT_EQ(c.valid, 80u);
  EXPECT_EQ(c.too_large, 3u);
}

}  // namespace
}  // namespace attune::crypto
