#include <gtest/gtest.h>

#include "attune/noise/handshake.h"
#include "noise_test_util.h"

namespace attune::noise {
namespace {

using testing::CompleteHandshake;
using testing::FixedKeys;
using TransportTest = testing::NoiseTest;

Bytes Pattern(size_t n, uint8_t seed) {
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(seed + i * 7);
  return out;
}

TEST_F(TransportTest, BothDirectionsInterleaved) {
  FixedKeys keys;
  auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
  for (uint8_t i = 0; i < 20; ++i) {
    const Bytes up = Pattern(i * 13, i);
    auto c = s.initiator.Encrypt(up);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->size(), up.size() + kTagLen);
    auto p = s.responder.Decrypt(*c);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, up);

    const Bytes down = Pattern(i * 5 + 1, static_cast<uint8_t>(~i));
    auto d = s.responder.Encrypt(down);
    ASSERT_TRUE(d.ok());
    auto q = s.initiator.Decrypt(*d);
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(*q, down);
  }
}

TEST_F(TransportTest, DirectionsUseDifferentKeys) {
  FixedKeys keys;
  auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
  auto c = s.initiator.Encrypt(Pattern(10, 1));
  ASSERT_TRUE(c.ok());
  // Reflecting the client's own message back to it must not decrypt.
  EXPECT_FALSE(s.initiator.Decrypt(*c).ok());
}

TEST_F(TransportTest, EveryBitFlipIsRejected) {
  FixedKeys keys;
  const Bytes plaintext = Pattern(32, 9);
  Bytes ciphertext;
  {
    auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
    ciphertext = *s.initiator.Encrypt(plaintext);
  }
  for (size_t bit = 0; bit < ciphertext.size() * 8; ++bit) {
    // Fixed keys: every fresh pair has the same transport keys.
    auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
    Bytes flipped = ciphertext;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto r = s.responder.Decrypt(flipped);
    ASSERT_FALSE(r.ok()) << "bit " << bit;
    EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);
  }
  auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
  EXPECT_TRUE(s.responder.Decrypt(ciphertext).ok());
}

TEST_F(TransportTest, EveryTruncationIsRejected) {
  FixedKeys keys;
  Bytes ciphertext;
  {
    auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
    ciphertext = *s.initiator.Encrypt(Pattern(24, 3));
  }
  for (size_t len = 0; len < ciphertext.size(); ++len) {
    auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
    EXPECT_FALSE(s.responder.Decrypt(ByteView(ciphertext).first(len)).ok()) << "length " << len;
  }
}

TEST_F(TransportTest, FailedDecryptIsSticky) {
  FixedKeys keys;
  auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
  auto good = s.initiator.Encrypt(Pattern(16, 0));
  ASSERT_TRUE(good.ok());
  Bytes bad = *good;
  bad.back() ^= 1;
  ASSERT_FALSE(s.responder.Decrypt(bad).ok());
  EXPECT_FALSE(s.responder.IsUsable());
  // The genuine message no longer decrypts, and nothing can be sent.
  auto again = s.responder.Decrypt(*good);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kInternal);
  EXPECT_FALSE(s.responder.Encrypt(Pattern(1, 0)).ok());
}

TEST_F(TransportTest, ReplayAndReorderAreRejected) {
  FixedKeys keys;
  {
    auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
    auto c0 = s.initiator.Encrypt(Pattern(8, 0));
    ASSERT_TRUE(s.responder.Decrypt(*c0).ok());
    EXPECT_FALSE(s.responder.Decrypt(*c0).ok());  // replay
  }
  {
    auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
    auto c0 = s.initiator.Encrypt(Pattern(8, 0));
    auto c1 = s.initiator.Encrypt(Pattern(8, 1));
    EXPECT_FALSE(s.responder.Decrypt(*c1).ok());  // skipped one
  }
}

TEST_F(TransportTest, SizeLimits) {
  FixedKeys keys;
  auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
  const Bytes max(kMaxTransportPlaintext, 0x5a);
  auto c = s.initiator.Encrypt(max);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), kMaxMessageSize);
  auto p = s.responder.Decrypt(*c);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, max);

  // One byte more is the caller's error; the session stays usable.
  auto too_big = s.initiator.Encrypt(Bytes(kMaxTransportPlaintext + 1, 0));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(s.initiator.IsUsable());
  auto after = s.initiator.Encrypt(Pattern(4, 4));
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(s.responder.Decrypt(*after).ok());

  // An incoming message above the Noise limit is refused and kills.
  EXPECT_FALSE(s.responder.Decrypt(Bytes(kMaxMessageSize + 1, 0)).ok());
  EXPECT_FALSE(s.responder.IsUsable());
}

TEST_F(TransportTest, EmptyPlaintextIsAllowed) {
  FixedKeys keys;
  auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
  auto c = s.responder.Encrypt({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), kTagLen);
  auto p = s.initiator.Decrypt(*c);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->empty());
}

TEST_F(TransportTest, MovedFromSessionIsDead) {
  FixedKeys keys;
  auto s = CompleteHandshake(keys.Initiator(), keys.Responder());
  TransportSession moved = std::move(s.initiator);
  EXPECT_FALSE(s.initiator.IsUsable());  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(s.initiator.Encrypt(Pattern(3, 3)).ok());
  auto c = moved.Encrypt(Pattern(3, 3));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(s.responder.Decrypt(*c).ok());
}

}  // namespace
}  // namespace attune::noise
