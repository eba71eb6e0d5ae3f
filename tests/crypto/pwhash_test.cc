// Argon2id (pwhash.h). Known answers were computed with the Argon2 reference
// implementation (libargon2 20171227, argon2id_hash_raw, parallelism 1),
// which is independent of libsodium's code.
#include "attune/crypto/pwhash.h"

#include <gtest/gtest.h>

#include "attune/crypto/util.h"

namespace attune::crypto {
namespace {

ByteArray<kArgon2SaltSize> Salt(std::string_view s) {
  ByteArray<kArgon2SaltSize> salt{};
  EXPECT_EQ(s.size(), salt.size());
  std::copy(s.begin(), s.end(), salt.begin());
  return salt;
}

class PwhashTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Init().ok()); }
};

TEST_F(PwhashTest, PresetsAreLibsodiumsLimits) {
  // Changing these changes every stored database key: they are a format.
  EXPECT_EQ(Argon2idParams::Interactive().ops_limit, 2u);
  EXPECT_EQ(Argon2idParams::Interactive().mem_limit, 64u * 1024 * 1024);
  EXPECT_EQ(Argon2idParams::Moderate().ops_limit, 3u);
  EXPECT_EQ(Argon2idParams::Moderate().mem_limit, 256u * 1024 * 1024);
  EXPECT_TRUE(Argon2idParams::Interactive().IsValid());
  EXPECT_TRUE(Argon2idParams::Moderate().IsValid());
}

TEST_F(PwhashTest, InteractiveKnownAnswer) {
  ByteArray<32> out;
  ASSERT_TRUE(Argon2id(AsBytes("correct horse battery staple"), Salt("attune-salt-0001"),
                       Argon2idParams::Interactive(), out)
                  .ok());
  EXPECT_EQ(ToHex(out), "11cb7468942b722f56d0cb7adc47834ebfbcae2da864005ccdd1e9d523ee15fe");
}

TEST_F(PwhashTest, SmallMemoryKnownAnswer) {
  ByteArray<32> out;
  ASSERT_TRUE(
      Argon2id(AsBytes("password"), Salt("somesaltsomesalt"), {3, 8 * 1024 * 1024}, out).ok());
  EXPECT_EQ(ToHex(out), "02950b5580d9c4909f78967fb3a6bfe9f0839ed64b932b118aba21ec89705b29");
}

TEST_F(PwhashTest, EmptyPasswordAnd64ByteOutput) {
  ByteArray<kArgon2SaltSize> salt;
  for (size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<uint8_t>(i);
  ByteArray<64> out;
  ASSERT_TRUE(Argon2id(ByteView(), salt, Argon2idParams::Interactive(), out).ok());
  EXPECT_EQ(ToHex(out),
            "b4c88e95e859b139c52f2b370620d08e3aa9e97b75152e0b5891a49dc257963e"
            "c429f8709bdffb3dd1d3dc60fb2bc911cab3862d1f58056048a14b86070005ae");
}

TEST_F(PwhashTest, DeterministicAndSaltSensitive) {
  const Argon2idParams params{1, 8 * 1024 * 1024};
  ByteArray<32> a, b, c;
  ASSERT_TRUE(Argon2id(AsBytes("pw"), Salt("0123456789abcdef"), params, a).ok());
  ASSERT_TRUE(Argon2id(AsBytes("pw"), Salt("0123456789abcdef"), params, b).ok());
  ASSERT_TRUE(Argon2id(AsBytes("pw"), Salt("0123456789abcdeF"), params, c).ok());
  EXPECT_EQ(ToHex(a), ToHex(b));
  EXPECT_NE(ToHex(a), ToHex(c));
  ASSERT_TRUE(Argon2id(AsBytes("pW"), Salt("0123456789abcdef"), params, c).ok());
  EXPECT_NE(ToHex(a), ToHex(c));
}

TEST_F(PwhashTest, RejectsParametersOutOfRange) {
  const auto salt = Salt("0123456789abcdef");
  ByteArray<32> out;
  const Argon2idParams bad[] = {
      {0, 8 * 1024 * 1024},                  // Argon2id needs at least one pass
      {2, 1024},                             // below libsodium's 8 KiB minimum
      {2, uint64_t{1} << 50},                // beyond any allowed memory limit
      {uint64_t{1} << 40, 8 * 1024 * 1024},  // beyond the 32-bit pass count
  };
  for (const auto& p : bad) {
    EXPECT_FALSE(p.IsValid()) << p.ops_limit << " " << p.mem_limit;
    Status s = Argon2id(AsBytes("pw"), salt, p, out);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST_F(PwhashTest, RejectsTooShortOutput) {
  ByteArray<15> out;
  Status s = Argon2id(AsBytes("pw"), Salt("0123456789abcdef"), {1, 8 * 1024 * 1024}, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace attune::crypto
