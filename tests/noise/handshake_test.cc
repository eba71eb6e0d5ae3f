#include "attune/noise/handshake.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "noise_test_util.h"

namespace attune::noise {
namespace {

using testing::CompleteHandshake;
using testing::FixedKeys;
using testing::KeyPairFromLabel;
using HandshakeTest = testing::NoiseTest;

const Bytes kPayload1 = {'h', 'e', 'l', 'l', 'o', ' ', 'r', 'e', 'l', 'a', 'y'};
const Bytes kPayload2 = {'w', 'e', 'l', 'c', 'o', 'm', 'e'};

// The low-order points of Curve25519 (and non-canonical encodings of them)
// that make X25519 output all zeros for every clamped scalar.
std::vector<crypto::X25519PublicKey> LowOrderPoints() {
  std::vector<std::string> hex = {
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0100000000000000000000000000000000000000000000000000000000000000",
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  };
  std::vector<crypto::X25519PublicKey> out;
  for (const auto& h : hex) {
    Bytes b = *FromHex(h);
    crypto::X25519PublicKey k;
    std::copy(b.begin(), b.end(), k.begin());
    out.push_back(k);
  }
  return out;
}

Bytes Flip(ByteView message, size_t bit) {
  Bytes out(message.begin(), message.end());
  out[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  return out;
}

TEST_F(HandshakeTest, RoundTripWithRandomKeysCarriesPayloads) {
  auto& rng = crypto::SystemRandom();
  auto relay = crypto::GenerateX25519KeyPair(rng);
  auto initiator = Handshake::Initiator(relay.public_key, AsBytes(kRelayPrologue), rng);
  auto responder = Handshake::Responder(relay, AsBytes(kRelayPrologue), rng);
  EXPECT_TRUE(initiator.IsMyTurnToWrite());
  EXPECT_FALSE(responder.IsMyTurnToWrite());

  auto m1 = initiator.WriteMessage(kPayload1);
  ASSERT_TRUE(m1.ok());
  EXPECT_EQ(m1->size(), kHandshakeOverhead + kPayload1.size());
  // The payload is encrypted: it does not appear in the message.
  EXPECT_EQ(std::search(m1->begin(), m1->end(), kPayload1.begin(), kPayload1.end()), m1->end());
  auto p1 = responder.ReadMessage(*m1);
  ASSERT_TRUE(p1.ok()) << p1.error().ToString();
  EXPECT_EQ(*p1, kPayload1);

  auto m2 = responder.WriteMessage(kPayload2);
  ASSERT_TRUE(m2.ok());
  auto p2 = initiator.ReadMessage(*m2);
  ASSERT_TRUE(p2.ok()) << p2.error().ToString();
  EXPECT_EQ(*p2, kPayload2);
  EXPECT_TRUE(initiator.IsComplete());
  EXPECT_TRUE(responder.IsComplete());

  auto a = initiator.Finish();
  auto b = responder.Finish();
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->handshake_hash(), b->handshake_hash());
  auto c = a->Encrypt(kPayload1);
  ASSERT_TRUE(c.ok());
  auto d = b->Decrypt(*c);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, kPayload1);
}

TEST_F(HandshakeTest, FreshEphemeralsGiveDistinctSessions) {
  auto& rng = crypto::SystemRandom();
  auto relay = crypto::GenerateX25519KeyPair(rng);
  auto s1 = CompleteHandshake(Handshake::Initiator(relay.public_key, {}, rng),
                              Handshake::Responder(relay, {}, rng));
  auto s2 = CompleteHandshake(Handshake::Initiator(relay.public_key, {}, rng),
                              Handshake::Responder(relay, {}, rng));
  EXPECT_NE(s1.initiator.handshake_hash(), s2.initiator.handshake_hash());
  // A message of one session does not decrypt in another.
  auto c = s1.initiator.Encrypt(kPayload1);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(s2.responder.Decrypt(*c).ok());
}

TEST_F(HandshakeTest, MaximumPayloadFitsAndOneMoreIsRefused) {
  FixedKeys keys;
  auto initiator = keys.Initiator();
  auto responder = keys.Responder();
  Bytes big(kMaxHandshakePayload, 0xab);
  auto m1 = initiator.WriteMessage(big);
  ASSERT_TRUE(m1.ok());
  EXPECT_EQ(m1->size(), kMaxMessageSize);
  auto p1 = responder.ReadMessage(*m1);
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(*p1, big);

  auto other = keys.Initiator();
  big.push_back(0);
  auto too_big = other.WriteMessage(big);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(other.IsDead());
}

TEST_F(HandshakeTest, OversizeMessageIsRejected) {
  FixedKeys keys;
  auto responder = keys.Responder();
  Bytes huge(kMaxMessageSize + 1, 0x01);
  auto r = responder.ReadMessage(huge);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(HandshakeTest, ResponderWithWrongStaticKeyCannotReadMessage1) {
  FixedKeys keys;
  auto initiator = keys.Initiator();
  auto m1 = initiator.WriteMessage(kPayload1);
  ASSERT_TRUE(m1.ok());
  const auto not_the_relay = KeyPairFromLabel("not the relay");  // outlives the handshake
  auto impostor = Handshake::ResponderWithEphemeral(not_the_relay, AsBytes(kRelayPrologue),
                                                    keys.resp_e.private_key.span());
  auto r = impostor.ReadMessage(*m1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);
  EXPECT_TRUE(impostor.IsDead());
}

TEST_F(HandshakeTest, InitiatorRejectsMessage2NotBoundToItsMessage1) {
  // An impostor without the relay's static key cannot compute es, so any
  // message 2 it makes, e.g. one the real relay made for another client,
  // fails the initiator's ReadMessage.
  FixedKeys keys;
  auto& rng = crypto::SystemRandom();
  auto victim = Handshake::Initiator(keys.relay.public_key, AsBytes(kRelayPrologue), rng);
  ASSERT_TRUE(victim.WriteMessage({}).ok());

  auto other = Handshake::Initiator(keys.relay.public_key, AsBytes(kRelayPrologue), rng);
  auto relay = keys.Responder();
  auto m1 = other.WriteMessage({});
  ASSERT_TRUE(m1.ok());
  ASSERT_TRUE(relay.ReadMessage(*m1).ok());
  auto m2 = relay.WriteMessage({});
  ASSERT_TRUE(m2.ok());

  auto r = victim.ReadMessage(*m2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);
  EXPECT_TRUE(victim.IsDead());
}

TEST_F(HandshakeTest, InitiatorExpectingAnotherRelayIsDetected) {
  // The client pinned relay A's key but reached relay B: B cannot read
  // message 1, and B's reply (made as if message 1 were fine) fails too.
  FixedKeys keys;
  auto other_relay = KeyPairFromLabel("relay B");
  auto initiator = keys.Initiator();
  auto m1 = initiator.WriteMessage({});
  ASSERT_TRUE(m1.ok());
  auto b = Handshake::ResponderWithEphemeral(other_relay, AsBytes(kRelayPrologue),
                                             keys.resp_e.private_key.span());
  EXPECT_FALSE(b.ReadMessage(*m1).ok());
  // Forge a message 2 from B's own handshake with a client that targets B.
  auto to_b = Handshake::InitiatorWithEphemeral(other_relay.public_key, AsBytes(kRelayPrologue),
                                                keys.init_e.private_key.span());
  auto b2 = Handshake::ResponderWithEphemeral(other_relay, AsBytes(kRelayPrologue),
                                              keys.resp_e.private_key.span());
  auto m1b = to_b.WriteMessage({});
  ASSERT_TRUE(m1b.ok());
  ASSERT_TRUE(b2.ReadMessage(*m1b).ok());
  auto m2b = b2.WriteMessage({});
  ASSERT_TRUE(m2b.ok());
  auto r = initiator.ReadMessage(*m2b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);
}

TEST_F(HandshakeTest, PrologueMismatchFailsTheHandshake) {
  FixedKeys keys;
  auto initiator = Handshake::InitiatorWithEphemeral(
      keys.relay.public_key, AsBytes("attune-relay/2"), keys.init_e.private_key.span());
  auto responder = keys.Responder();
  auto m1 = initiator.WriteMessage({});
  ASSERT_TRUE(m1.ok());
  auto r = responder.ReadMessage(*m1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);
}

TEST_F(HandshakeTest, EveryBitFlipOfMessage1IsRejected) {
  FixedKeys keys;
  auto initiator = keys.Initiator();
  auto m1 = initiator.WriteMessage(kPayload1);
  ASSERT_TRUE(m1.ok());
  ASSERT_TRUE(keys.Responder().ReadMessage(*m1).ok());  // the unflipped one is fine
  for (size_t bit = 0; bit < m1->size() * 8; ++bit) {
    auto responder = keys.Responder();
    auto r = responder.ReadMessage(Flip(*m1, bit));
    ASSERT_FALSE(r.ok()) << "bit " << bit;
    EXPECT_TRUE(responder.IsDead());
  }
}

TEST_F(HandshakeTest, EveryBitFlipOfMessage2IsRejected) {
  FixedKeys keys;
  auto initiator = keys.Initiator();
  auto responder = keys.Responder();
  auto m1 = initiator.WriteMessage({});
  ASSERT_TRUE(m1.ok());
  ASSERT_TRUE(responder.ReadMessage(*m1).ok());
  auto m2 = responder.WriteMessage(kPayload2);
  ASSERT_TRUE(m2.ok());
  for (size_t bit = 0; bit < m2->size() * 8; ++bit) {
    // Fixed ephemerals: a fresh initiator writes the identical message 1 and
    // so is in the exact state that expects m2.
    auto fresh = keys.Initiator();
    ASSERT_EQ(*fresh.WriteMessage({}), *m1);
    auto r = fresh.ReadMessage(Flip(*m2, bit));
    ASSERT_FALSE(r.ok()) << "bit " << bit;
    EXPECT_TRUE(fresh.IsDead());
  }
  EXPECT_TRUE(initiator.ReadMessage(*m2).ok());
}

TEST_F(HandshakeTest, EveryTruncationIsRejected) {
  FixedKeys keys;
  auto initiator = keys.Initiator();
  auto responder = keys.Responder();
  auto m1 = initiator.WriteMessage(kPayload1);
  ASSERT_TRUE(m1.ok());
  for (size_t len = 0; len < m1->size(); ++len) {
    auto fresh = keys.Responder();
    EXPECT_FALSE(fresh.ReadMessage(ByteView(*m1).first(len)).ok()) << "length " << len;
  }
  ASSERT_TRUE(responder.ReadMessage(*m1).ok());
  auto m2 = responder.WriteMessage({});
  ASSERT_TRUE(m2.ok());
  for (size_t len = 0; len < m2->size(); ++len) {
    auto fresh = keys.Initiator();
    ASSERT_TRUE(fresh.WriteMessage(kPayload1).ok());
    EXPECT_FALSE(fresh.ReadMessage(ByteView(*m2).first(len)).ok()) << "length " << len;
  }
  // A trailing byte is tampering too (it becomes part of the ciphertext).
  Bytes longer = *m2;
  longer.push_back(0);
  EXPECT_FALSE(keys.Initiator().ReadMessage(longer).ok());
}

TEST_F(HandshakeTest, LowOrderEphemeralIsRejectedByResponder) {
  FixedKeys keys;
  for (const auto& point : LowOrderPoints()) {
    auto responder = keys.Responder();
    Bytes m1(point.begin(), point.end());
    m1.resize(kHandshakeOverhead, 0);
    auto r = responder.ReadMessage(m1);
    ASSERT_FALSE(r.ok()) << ToHex(point);
    EXPECT_EQ(r.error().code, ErrorCode::kCryptoFailed) << ToHex(point);
    EXPECT_TRUE(responder.IsDead());
  }
}

TEST_F(HandshakeTest, LowOrderEphemeralIsRejectedByInitiator) {
  FixedKeys keys;
  for (const auto& point : LowOrderPoints()) {
    auto initiator = keys.Initiator();
    ASSERT_TRUE(initiator.WriteMessage({}).ok());
    Bytes m2(point.begin(), point.end());
    m2.resize(kHandshakeOverhead, 0);
    auto r = initiator.ReadMessage(m2);
    ASSERT_FALSE(r.ok()) << ToHex(point);
    EXPECT_EQ(r.error().code, ErrorCode::kCryptoFailed) << ToHex(point);
    EXPECT_TRUE(initiator.IsDead());
  }
}

TEST_F(HandshakeTest, LowOrderResponderStaticKeyIsRejected) {
  auto& rng = crypto::SystemRandom();
  for (const auto& point : LowOrderPoints()) {
    auto initiator = Handshake::Initiator(point, AsBytes(kRelayPrologue), rng);
    auto r = initiator.WriteMessage({});
    ASSERT_FALSE(r.ok()) << ToHex(point);
    EXPECT_EQ(r.error().code, ErrorCode::kCryptoFailed);
    EXPECT_TRUE(initiator.IsDead());
  }
}

TEST_F(HandshakeTest, DeadAfterFailureForever) {
  FixedKeys keys;
  auto initiator = keys.Initiator();
  auto m1 = initiator.WriteMessage({});
  ASSERT_TRUE(m1.ok());
  auto responder = keys.Responder();
  ASSERT_FALSE(responder.ReadMessage(Flip(*m1, 300)).ok());
  ASSERT_TRUE(responder.IsDead());
  // Even the genuine message is now refused, as is everything else.
  auto again = responder.ReadMessage(*m1);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kInternal);
  EXPECT_FALSE(responder.WriteMessage({}).ok());
  EXPECT_FALSE(responder.Finish().ok());
  EXPECT_FALSE(responder.IsComplete());
  EXPECT_FALSE(responder.IsMyTurnToWrite());
}

TEST_F(HandshakeTest, CallsOutOfOrderAreRejectedAndKill) {
  FixedKeys keys;
  {
    auto responder = keys.Responder();
    auto r = responder.WriteMessage({});  // responder speaks second
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(responder.IsDead());
  }
  {
    auto initiator = keys.Initiator();
    auto m1 = keys.Initiator().WriteMessage({});
    EXPECT_FALSE(initiator.ReadMessage(*m1).ok());  // initiator speaks first
    EXPECT_TRUE(initiator.IsDead());
  }
  {
    auto initiator = keys.Initiator();
    ASSERT_TRUE(initiator.WriteMessage({}).ok());
    EXPECT_FALSE(initiator.WriteMessage({}).ok());  // two in a row
    EXPECT_TRUE(initiator.IsDead());
  }
  {
    auto initiator = keys.Initiator();
    ASSERT_TRUE(initiator.WriteMessage({}).ok());
    EXPECT_FALSE(initiator.Finish().ok());  // before completion
    EXPECT_TRUE(initiator.IsDead());
  }
  {
    auto initiator = keys.Initiator();
    auto responder = keys.Responder();
    auto m1 = initiator.WriteMessage({});
    ASSERT_TRUE(responder.ReadMessage(*m1).ok());
    EXPECT_FALSE(responder.ReadMessage(*m1).ok());  // replayed message 1
    EXPECT_TRUE(responder.IsDead());
  }
  {
    auto initiator = keys.Initiator();
    auto responder = keys.Responder();
    auto m1 = initiator.WriteMessage({});
    ASSERT_TRUE(responder.ReadMessage(*m1).ok());
    auto m2 = responder.WriteMessage({});
    ASSERT_TRUE(initiator.ReadMessage(*m2).ok());
    EXPECT_FALSE(responder.WriteMessage({}).ok());  // no third message in NK
    ASSERT_TRUE(initiator.Finish().ok());
    EXPECT_FALSE(initiator.Finish().ok());  // keys were moved out once
    EXPECT_FALSE(initiator.WriteMessage({}).ok());
  }
}

TEST_F(HandshakeTest, MovedFromHandshakeIsDead) {
  FixedKeys keys;
  auto initiator = keys.Initiator();
  Handshake moved = std::move(initiator);
  EXPECT_TRUE(initiator.IsDead());  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_FALSE(initiator.WriteMessage({}).ok());
  EXPECT_TRUE(moved.WriteMessage({}).ok());
}

}  // namespace
}  // namespace attune::noise
