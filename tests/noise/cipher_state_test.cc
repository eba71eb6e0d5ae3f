#include "attune/noise/cipher_state.h"

#include <gtest/gtest.h>

#include "attune/crypto/aead.h"
#include "noise_test_util.h"

namespace attune::noise {
namespace {

using CipherStateTest = testing::NoiseTest;

const ByteArray<32> kKey = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

TEST_F(CipherStateTest, WithoutKeyPassesThrough) {
  CipherState c;
  EXPECT_FALSE(c.HasKey());
  const Bytes data = {1, 2, 3};
  EXPECT_EQ(*c.EncryptWithAd({}, data), data);
  EXPECT_EQ(*c.DecryptWithAd({}, data), data);
}

TEST_F(CipherStateTest, NonceIsLittleEndianAfterFourZeroBytes) {
  // Encrypting with n = 0x0102030405060708 must equal the IETF AEAD under
  // the nonce 00000000 0807060504030201.
  CipherState c(kKey);
  c.SetNonce(0x0102030405060708ull);
  auto ours = c.EncryptWithAd(AsBytes("ad"), AsBytes("plaintext"));
  ASSERT_TRUE(ours.ok());
  const ByteArray<12> nonce = {0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_EQ(*ours, crypto::ChaChaIetfSeal(kKey, nonce, AsBytes("ad"), AsBytes("plaintext")));
  EXPECT_EQ(c.nonce(), 0x0102030405060709ull);
}

TEST_F(CipherStateTest, AdIsAuthenticated) {
  CipherState a(kKey);
  CipherState b(kKey);
  auto c = a.EncryptWithAd(AsBytes("one"), AsBytes("x"));
  ASSERT_TRUE(c.ok());
  auto r = b.DecryptWithAd(AsBytes("two"), *c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);
  EXPECT_EQ(b.nonce(), 0u);  // a failed decrypt does not advance n
  EXPECT_TRUE(b.DecryptWithAd(AsBytes("one"), *c).ok());
}

TEST_F(CipherStateTest, NonceExhaustionIsAnError) {
  CipherState a(kKey);
  CipherState b(kKey);
  a.SetNonce(kMaxNonce - 1);
  b.SetNonce(kMaxNonce - 1);
  auto last = a.EncryptWithAd({}, AsBytes("last"));
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(b.DecryptWithAd({}, *last).ok());
  EXPECT_EQ(a.nonce(), kMaxNonce);
  auto more = a.EncryptWithAd({}, AsBytes("more"));
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.error().code, ErrorCode::kLimitExceeded);
  auto in = b.DecryptWithAd({}, *last);
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.error().code, ErrorCode::kLimitExceeded);
}

TEST_F(CipherStateTest, MovedFromIsSpentNotPassThrough) {
  CipherState a(kKey);
  CipherState b = std::move(a);
  auto r = a.EncryptWithAd({}, AsBytes("secret"));  // NOLINT(bugprone-use-after-move)
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_TRUE(b.EncryptWithAd({}, AsBytes("secret")).ok());
}

}  // namespace
}  // namespace attune::noise
