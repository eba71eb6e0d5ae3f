// Double Ratchet with header encryption: the behaviour two honest parties see
// (round trips, ratchet steps, reordering, padding) and the messages a
// session must refuse (replays, reflections, other conversations).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "attune/e2e/ratchet_message.h"
#include "ratchet_test_util.h"

namespace attune::e2e {
namespace {

using testing::ExpectDecrypts;
using testing::ExpectRejected;
using testing::kNow;
using testing::MakePair;
using testing::MustEncrypt;
using testing::Text;

TEST(RatchetSession, RoundTripsBothWaysWithRatchetSteps) {
  crypto::DeterministicRandom rng("ratchet round trip");
  auto [alice, bob] = MakePair(rng);
  EXPECT_TRUE(alice.can_send());
  EXPECT_FALSE(bob.can_send());

  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 3; ++i) {
      const std::string text = "alice " + std::to_string(round) + "/" + std::to_string(i);
      ExpectDecrypts(bob, MustEncrypt(alice, text, rng), text);
    }
    const crypto::X25519PublicKey bob_key_before = bob.ratchet_public_key();
    for (int i = 0; i < 2; ++i) {
      const std::string text = "bob " + std::to_string(round) + "/" + std::to_string(i);
      ExpectDecrypts(alice, MustEncrypt(bob, text, rng), text);
    }
    // Each reply after hearing from the other side starts a new DH ratchet
    // step with a fresh key pair.
    EXPECT_NE(bob.ratchet_public_key(), bob_key_before);
  }
  EXPECT_EQ(alice.stored_skipped_keys(), 0u);
  EXPECT_EQ(bob.stored_skipped_keys(), 0u);
}

TEST(RatchetSession, EmptyAndMaximumPlaintexts) {
  crypto::DeterministicRandom rng("ratchet sizes");
  auto [alice, bob] = MakePair(rng);
  ExpectDecrypts(bob, MustEncrypt(alice, "", rng), "");
  const std::string big(kMaxPlaintextSize, 'x');
  const Bytes wire = MustEncrypt(alice, big, rng);
  EXPECT_EQ(wire.size(), kMaxWireMessageSize);
  ExpectDecrypts(bob, wire, big);

  const Bytes before = alice.Serialize();
  Result<Bytes> too_big = alice.Encrypt(Bytes(kMaxPlaintextSize + 1, 'x'), rng);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(alice.Serialize(), before);
}

TEST(RatchetSession, CiphertextLengthRevealsOnlyThePaddingBucket) {
  crypto::DeterministicRandom rng("ratchet padding");
  auto [alice, bob] = MakePair(rng);
  // A one-word reply and a check-in of a couple of hundred bytes look alike.
  const std::string short_text = "ok";
  const std::string check_in(200, 'c');
  const Bytes a = MustEncrypt(alice, short_text, rng);
  const Bytes b = MustEncrypt(alice, check_in, rng);
  EXPECT_EQ(a.size(), b.size());
  EXPECT_EQ(a.size(), kWirePrefixSize + kMinPaddedSize + kAeadTagSize);
  ExpectDecrypts(bob, a, short_text);
  ExpectDecrypts(bob, b, check_in);

  std::set<size_t> sizes;
  for (size_t n : {0u, 1u, 252u, 253u, 1000u, 5000u, 20000u, 32764u}) {
    const Bytes wire = MustEncrypt(alice, std::string(n, 'p'), rng);
    EXPECT_EQ(wire.size(), *WireMessageSize(n));
    sizes.insert(wire.size() - kWirePrefixSize - kAeadTagSize);
    ExpectDecrypts(bob, wire, std::string(n, 'p'));
  }
  for (size_t padded : sizes) EXPECT_TRUE(IsValidPaddedSize(padded)) << padded;
  EXPECT_EQ(*PaddedSize(252), 256u);
  EXPECT_EQ(*PaddedSize(253), 512u);
}

TEST(RatchetSession, ResponderCannotSendBeforeTheFirstMessage) {
  crypto::DeterministicRandom rng("ratchet responder first");
  auto [alice, bob] = MakePair(rng);
  const Bytes before = bob.Serialize();
  Result<Bytes> r = bob.Encrypt(Text("too early"), rng);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bob.Serialize(), before);
}

TEST(RatchetSession, OutOfOrderWithinMaxSkip) {
  crypto::DeterministicRandom rng("ratchet out of order");
  auto [alice, bob] = MakePair(rng);
  std::vector<Bytes> first;
  for (int i = 0; i < 10; ++i) first.push_back(MustEncrypt(alice, "a" + std::to_string(i), rng));
  // 9 first, then the rest backwards.
  ExpectDecrypts(bob, first[9], "a9");
  EXPECT_EQ(bob.stored_skipped_keys(), 9u);
  for (int i = 8; i >= 5; --i) ExpectDecrypts(bob, first[i], "a" + std::to_string(i));

  // Bob answers (a new chain for Alice) while a0..a4 are still in flight;
  // Alice sends a new chain; the old messages still decrypt afterwards.
  ExpectDecrypts(alice, MustEncrypt(bob, "b0", rng), "b0");
  const Bytes a_new = MustEncrypt(alice, "a-new", rng);
  ExpectDecrypts(bob, a_new, "a-new");
  for (int i = 0; i < 5; ++i) ExpectDecrypts(bob, first[i], "a" + std::to_string(i));
  EXPECT_EQ(bob.stored_skipped_keys(), 0u);

  // Keys skipped through PN: Bob's new chain holds b1..b3, Alice sees only
  // b1 before Bob moves on to another chain; b4's header says PN = 3.
  const Bytes b1 = MustEncrypt(bob, "b1", rng);
  const Bytes b2 = MustEncrypt(bob, "b2", rng);
  const Bytes b3 = MustEncrypt(bob, "b3", rng);
  ExpectDecrypts(alice, b1, "b1");
  ExpectDecrypts(bob, MustEncrypt(alice, "a-ping", rng), "a-ping");
  const Bytes b4 = MustEncrypt(bob, "b4", rng);
  ExpectDecrypts(alice, b4, "b4");
  EXPECT_EQ(alice.stored_skipped_keys(), 2u);
  ExpectDecrypts(alice, b3, "b3");
  ExpectDecrypts(alice, b2, "b2");
  EXPECT_EQ(alice.stored_skipped_keys(), 0u);
}

TEST(RatchetSession, ReplayOfAnyEarlierMessageIsADuplicateAlsoAfterRestore) {
  crypto::DeterministicRandom rng("ratchet replay");
  auto [alice, bob] = MakePair(rng);
  std::vector<Bytes> to_bob, to_alice;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 3; ++i) {
      to_bob.push_back(MustEncrypt(alice, "x", rng));
      ExpectDecrypts(bob, to_bob.back(), "x");
    }
    to_alice.push_back(MustEncrypt(bob, "y", rng));
    ExpectDecrypts(alice, to_alice.back(), "y");
  }
  // One message skipped and then delivered: its replay is a duplicate too.
  const Bytes late = MustEncrypt(alice, "late", rng);
  ExpectDecrypts(bob, MustEncrypt(alice, "after", rng), "after");
  ExpectDecrypts(bob, late, "late");
  to_bob.push_back(late);

  for (const Bytes& m : to_bob) ExpectRejected(bob, m, ErrorCode::kDuplicate);
  for (const Bytes& m : to_alice) ExpectRejected(alice, m, ErrorCode::kDuplicate);

  Result<Session> bob2 = Session::Deserialize(bob.Serialize());
  Result<Session> alice2 = Session::Deserialize(alice.Serialize());
  ASSERT_TRUE(bob2.ok() && alice2.ok());
  for (const Bytes& m : to_bob) ExpectRejected(*bob2, m, ErrorCode::kDuplicate);
  for (const Bytes& m : to_alice) ExpectRejected(*alice2, m, ErrorCode::kDuplicate);
  // And the restored sessions keep working.
  ExpectDecrypts(*bob2, MustEncrypt(*alice2, "still here", rng), "still here");
  ExpectDecrypts(*alice2, MustEncrypt(*bob2, "me too", rng), "me too");
}

TEST(RatchetSession, OwnMessageReflectedBackIsRejected) {
  crypto::DeterministicRandom rng("ratchet reflection");
  auto [alice, bob] = MakePair(rng);
  const Bytes a0 = MustEncrypt(alice, "to bob", rng);
  ExpectRejected(alice, a0, ErrorCode::kAuthFailed);
  ExpectDecrypts(bob, a0, "to bob");
  const Bytes b0 = MustEncrypt(bob, "to alice", rng);
  ExpectRejected(bob, b0, ErrorCode::kAuthFailed);
  ExpectRejected(bob, a0, ErrorCode::kDuplicate);
  ExpectDecrypts(alice, b0, "to alice");
  const Bytes a1 = MustEncrypt(alice, "again", rng);
  ExpectRejected(alice, a1, ErrorCode::kAuthFailed);
  ExpectDecrypts(bob, a1, "again");
}

TEST(RatchetSession, MessageFromAnotherConversationIsRejected) {
  crypto::DeterministicRandom rng("ratchet other conversation");
  auto [alice, bob] = MakePair(rng);
  auto [carol, dave] = MakePair(rng, "carol-identity|dave-identity");
  ExpectDecrypts(bob, MustEncrypt(alice, "hi", rng), "hi");
  ExpectDecrypts(dave, MustEncrypt(carol, "hi", rng), "hi");
  ExpectRejected(bob, MustEncrypt(carol, "not for bob", rng), ErrorCode::kAuthFailed);
  ExpectRejected(alice, MustEncrypt(dave, "not for alice", rng), ErrorCode::kAuthFailed);
}

TEST(RatchetSession, SameKeysButDifferentAssociatedDataIsRejected) {
  // Both identities are bound through AD: the same X3DH secrets with another
  // identity pair cannot read the body, even though headers decrypt.
  crypto::DeterministicRandom rng("ratchet ad binding");
  RatchetInit init = testing::MakeInit(rng, "alice|bob");
  crypto::X25519KeyPair bob_ratchet = crypto::GenerateX25519KeyPair(rng);
  const crypto::X25519PublicKey bob_public = bob_ratchet.public_key;
  RatchetInit other = testing::CloneInit(init);
  other.associated_data = Text("mallory|bob");
  Session bob = Session::InitResponder(std::move(other), std::move(bob_ratchet));
  Result<Session> alice = Session::InitInitiator(std::move(init), bob_public, rng);
  ASSERT_TRUE(alice.ok());
  ExpectRejected(bob, MustEncrypt(*alice, "hello", rng), ErrorCode::kAuthFailed);
}

TEST(RatchetSession, DeterministicForAFixedRandomSource) {
  // The test-vector tool relies on this: same seed, same bytes.
  crypto::DeterministicRandom rng1("ratchet determinism");
  crypto::DeterministicRandom rng2("ratchet determinism");
  auto p1 = MakePair(rng1);
  auto p2 = MakePair(rng2);
  EXPECT_EQ(MustEncrypt(p1.alice, "same", rng1), MustEncrypt(p2.alice, "same", rng2));
  EXPECT_EQ(p1.alice.Serialize(), p2.alice.Serialize());
}

TEST(RatchetSession, InitiatorRejectsLowOrderResponderKey) {
  crypto::DeterministicRandom rng("ratchet low order");
  crypto::X25519PublicKey zero{};  // the identity point: low order
  Result<Session> s = Session::InitInitiator(testing::MakeInit(rng, "a|b"), zero, rng);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kCryptoFailed);
}

}  // namespace
}  // namespace attune::e2e
