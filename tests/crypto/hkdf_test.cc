// HKDF (hkdf.h): RFC 5869 known answers and the documented error cases.
// The bulk of the coverage is wycheproof_hkdf_test.cc; these run even when
// the shared vectors are absent.
#include "attune/crypto/hkdf.h"

#include <gtest/gtest.h>

#include "attune/crypto/util.h"

namespace attune::crypto {
namespace {

class HkdfTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Init().ok()); }
  const Bytes ikm_ = Bytes(22, 0x0b);
};

// RFC 5869 appendix A.1.
TEST_F(HkdfTest, Rfc5869Case1) {
  Bytes salt, info;
  for (uint8_t i = 0x00; i <= 0x0c; ++i) salt.push_back(i);
  for (uint8_t i = 0xf0; i <= 0xf9; ++i) info.push_back(i);
  Bytes prk(32);
  HkdfExtract(HkdfHash::kSha256, salt, ikm_, prk);
  EXPECT_EQ(ToHex(prk), "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
  Bytes okm(42);
  ASSERT_TRUE(HkdfExpand(HkdfHash::kSha256, prk, info, okm).ok());
  EXPECT_EQ(ToHex(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

// RFC 5869 appendix A.3: empty salt means HashLen zero bytes.
TEST_F(HkdfTest, Rfc5869Case3EmptySaltAndInfo) {
  Bytes prk(32);
  HkdfExtract(HkdfHash::kSha256, {}, ikm_, prk);
  EXPECT_EQ(ToHex(prk), "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
  Bytes zero_salt_prk(32);
  HkdfExtract(HkdfHash::kSha256, Bytes(32, 0), ikm_, zero_salt_prk);
  EXPECT_EQ(ToHex(zero_salt_prk), ToHex(prk));

  Bytes okm(42);
  ASSERT_TRUE(Hkdf(HkdfHash::kSha256, {}, ikm_, {}, okm).ok());
  EXPECT_EQ(ToHex(okm),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

// Same inputs with SHA-512 (expected from Python `cryptography`'s HKDF).
TEST_F(HkdfTest, Sha512EmptySaltAndInfo) {
  Bytes okm(42);
  ASSERT_TRUE(Hkdf(HkdfHash::kSha512, {}, ikm_, {}, okm).ok());
  EXPECT_EQ(ToHex(okm),
            "f5fa02b18298a72a8c23898a8703472c6eb179dc204c03425c970e3b164bf90fff22d04836d0e2343bac");
}

TEST_F(HkdfTest, HashLengths) {
  EXPECT_EQ(HkdfHashLength(HkdfHash::kSha256), 32u);
  EXPECT_EQ(HkdfHashLength(HkdfHash::kSha512), 64u);
}

TEST_F(HkdfTest, OutputLengthBound) {
  for (HkdfHash hash : {HkdfHash::kSha256, HkdfHash::kSha512}) {
    const size_t max = 255 * HkdfHashLength(hash);
    Bytes okm(max);
    EXPECT_TRUE(Hkdf(hash, {}, ikm_, {}, okm).ok());
    EXPECT_FALSE(IsAllZero(ByteView(okm).last(HkdfHashLength(hash))));

    Bytes too_long(max + 1, 0xee);
    Status s = Hkdf(hash, {}, ikm_, {}, too_long);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(IsAllZero(too_long));
  }
}

TEST_F(HkdfTest, ExpandRefusesShortPrk) {
  Bytes okm(32, 0xee);
  Status s = HkdfExpand(HkdfHash::kSha256, Bytes(31, 1), {}, okm);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(IsAllZero(okm));

  Bytes okm512(64);
  EXPECT_FALSE(HkdfExpand(HkdfHash::kSha512, Bytes(32, 1), {}, okm512).ok());
}

TEST_F(HkdfTest, EmptyOutputIsAllowed) {
  Bytes none;
  EXPECT_TRUE(Hkdf(HkdfHash::kSha256, {}, ikm_, {}, none).ok());
}

TEST_F(HkdfTest, InfoSeparatesOutputs) {
  Bytes a(32), b(32);
  ASSERT_TRUE(Hkdf(HkdfHash::kSha256, {}, ikm_, AsBytes("attune a"), a).ok());
  ASSERT_TRUE(Hkdf(HkdfHash::kSha256, {}, ikm_, AsBytes("attune b"), b).ok());
  EXPECT_NE(ToHex(a), ToHex(b));
}

}  // namespace
}  // namespace attune::crypto
