// AEAD (aead.h) behaviour beyond the Wycheproof vectors: tampering with any
// input fails with kAuthFailed, short inputs are refused, and the in-place
// XChaCha variants equal the copying ones.
#include "attune/crypto/aead.h"

#include <gtest/gtest.h>

#include "attune/crypto/random.h"
#include "attune/crypto/util.h"

namespace attune::crypto {
namespace {

class AeadTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Init().ok()); }
  DeterministicRandom rng_{"aead-test"};
  const ByteArray<kAeadKeySize> key_ = rng_.Array<kAeadKeySize>();
  const ByteArray<kXChaChaNonceSize> xnonce_ = rng_.Array<kXChaChaNonceSize>();
  const ByteArray<kChaChaIetfNonceSize> nonce_ = rng_.Array<kChaChaIetfNonceSize>();
  const Bytes ad_ = Bytes{'h', 'e', 'a', 'd', 'e', 'r'};
  const Bytes plain_ = Bytes(100, 0x42);
};

void ExpectAuthFailed(const Result<Bytes>& r, const char* what) {
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed) << what;
}

TEST_F(AeadTest, XChaChaRoundTripAndTamper) {
  const Bytes ct = XChaChaSeal(key_, xnonce_, ad_, plain_);
  ASSERT_EQ(ct.size(), plain_.size() + kAeadTagSize);
  auto opened = XChaChaOpen(key_, xnonce_, ad_, ct);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, plain_);

  for (size_t i : {size_t{0}, plain_.size() - 1, plain_.size(), ct.size() - 1}) {
    Bytes bad = ct;
    bad[i] ^= 0x01;
    ExpectAuthFailed(XChaChaOpen(key_, xnonce_, ad_, bad), "flipped ciphertext/tag bit");
  }
  Bytes bad_ad = ad_;
  bad_ad.back() ^= 1;
  ExpectAuthFailed(XChaChaOpen(key_, xnonce_, bad_ad, ct), "wrong ad");
  ExpectAuthFailed(XChaChaOpen(key_, xnonce_, {}, ct), "missing ad");
  auto bad_nonce = xnonce_;
  bad_nonce[23] ^= 1;
  ExpectAuthFailed(XChaChaOpen(key_, bad_nonce, ad_, ct), "wrong nonce");
  auto bad_key = key_;
  bad_key[0] ^= 1;
  ExpectAuthFailed(XChaChaOpen(bad_key, xnonce_, ad_, ct), "wrong key");
  ExpectAuthFailed(XChaChaOpen(key_, xnonce_, ad_, ByteView(ct).first(ct.size() - 1)), "truncated");
}

TEST_F(AeadTest, ChaChaIetfRoundTripAndTamper) {
  const Bytes ct = ChaChaIetfSeal(key_, nonce_, ad_, plain_);
  ASSERT_EQ(ct.size(), plain_.size() + kAeadTagSize);
  auto opened = ChaChaIetfOpen(key_, nonce_, ad_, ct);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, plain_);

  Bytes bad = ct;
  bad[5] ^= 0x80;
  ExpectAuthFailed(ChaChaIetfOpen(key_, nonce_, ad_, bad), "flipped bit");
  auto bad_nonce = nonce_;
  bad_nonce[0] ^= 1;
  ExpectAuthFailed(ChaChaIetfOpen(key_, bad_nonce, ad_, ct), "wrong nonce");
}

TEST_F(AeadTest, EmptyPlaintextStillAuthenticates) {
  const Bytes ct = XChaChaSeal(key_, xnonce_, ad_, {});
  ASSERT_EQ(ct.size(), kAeadTagSize);
  auto opened = XChaChaOpen(key_, xnonce_, ad_, ct);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->empty());
  Bytes bad_ad = ad_;
  bad_ad[0] ^= 1;
  ExpectAuthFailed(XChaChaOpen(key_, xnonce_, bad_ad, ct), "ad of empty message");
}

TEST_F(AeadTest, InputsShorterThanATagAreRefused) {
  for (size_t n : {0, 1, 15}) {
    const Bytes short_ct(n, 0);
    ExpectAuthFailed(XChaChaOpen(key_, xnonce_, ad_, short_ct), "short xchacha");
    ExpectAuthFailed(ChaChaIetfOpen(key_, nonce_, ad_, short_ct), "short chacha");
    Bytes buffer = short_ct;
    Status s = XChaChaOpenInPlace(key_, xnonce_, ad_, buffer);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kAuthFailed);
  }
}

TEST_F(AeadTest, XChaChaInPlaceEqualsCopying) {
  for (size_t len : {0, 1, 63, 64, 65, 1000}) {
    Bytes plain(len);
    rng_.Fill(plain);
    const Bytes expected = XChaChaSeal(key_, xnonce_, ad_, plain);

    Bytes buffer = plain;
    buffer.resize(len + kAeadTagSize);
    XChaChaSealInPlace(key_, xnonce_, ad_, buffer);
    EXPECT_EQ(ToHex(buffer), ToHex(expected)) << len;

    ASSERT_TRUE(XChaChaOpenInPlace(key_, xnonce_, ad_, buffer).ok()) << len;
    EXPECT_EQ(ToHex(ByteView(buffer).first(len)), ToHex(plain)) << len;
  }
}

TEST_F(AeadTest, FailedInPlaceOpenLeavesBufferUnchanged) {
  Bytes buffer = plain_;
  buffer.resize(plain_.size() + kAeadTagSize);
  XChaChaSealInPlace(key_, xnonce_, ad_, buffer);
  buffer[10] ^= 1;
  const Bytes before = buffer;
  Status s = XChaChaOpenInPlace(key_, xnonce_, ad_, buffer);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kAuthFailed);
  EXPECT_EQ(buffer, before);  // no partial plaintext is released
}

TEST_F(AeadTest, NonceChangesCiphertext) {
  auto other = xnonce_;
  other[0] ^= 1;
  EXPECT_NE(XChaChaSeal(key_, xnonce_, ad_, plain_), XChaChaSeal(key_, other, ad_, plain_));
}

}  // namespace
}  // namespace attune::crypto
