// The bounds and the failure discipline: every failing message leaves the
// state byte-for-byte unchanged; a hostile peer cannot make us store
// unbounded keys; skipped keys expire.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "attune/crypto/aead.h"
#include "attune/e2e/ratchet_message.h"
#include "ratchet_test_util.h"

namespace attune::e2e {
namespace {

using testing::ExpectDecrypts;
using testing::ExpectRejected;
using testing::kNow;
using testing::MakePair;
using testing::MustEncrypt;

TEST(RatchetRobustness, EverySingleBitFlipIsRejectedWithStateUnchanged) {
  crypto::DeterministicRandom rng("ratchet bit flips");
  auto [alice, bob] = MakePair(rng);
  // A session in the middle of a conversation, with skipped keys stored, so
  // that every header-trial path is exercised.
  ExpectDecrypts(bob, MustEncrypt(alice, "one", rng), "one");
  const Bytes skipped = MustEncrypt(alice, "skipped", rng);
  ExpectDecrypts(bob, MustEncrypt(alice, "two", rng), "two");
  ExpectDecrypts(alice, MustEncrypt(bob, "reply", rng), "reply");
  const Bytes wire = MustEncrypt(alice, "the message", rng);
  ASSERT_EQ(wire.size(), kMinWireMessageSize);

  const Bytes before = bob.Serialize();
  for (size_t bit = 0; bit < wire.size() * 8; ++bit) {
    Bytes flipped = wire;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    Result<Bytes> r = bob.Decrypt(flipped, kNow);
    ASSERT_FALSE(r.ok()) << "bit " << bit;
    const ErrorCode code = r.error().code;
    EXPECT_TRUE(code == ErrorCode::kAuthFailed || code == ErrorCode::kUnsupportedVersion)
        << "bit " << bit << ": " << r.error().ToString();
  }
  EXPECT_EQ(bob.Serialize(), before);
  // Truncated and extended messages too.
  ExpectRejected(bob, ByteView(wire).first(wire.size() - 1), ErrorCode::kInvalidArgument);
  Bytes longer = wire;
  longer.push_back(0);
  ExpectRejected(bob, longer, ErrorCode::kInvalidArgument);
  ExpectRejected(bob, Bytes{}, ErrorCode::kInvalidArgument);
  // The untouched messages still decrypt afterwards.
  ExpectDecrypts(bob, wire, "the message");
  ExpectDecrypts(bob, skipped, "skipped");
}

TEST(RatchetRobustness, GapOfMaxSkipIsAcceptedButOneMoreIsRejected) {
  crypto::DeterministicRandom rng("ratchet max skip");
  auto [alice, bob] = MakePair(rng);
  std::vector<Bytes> wires;
  for (uint32_t i = 0; i <= kMaxSkip + 1; ++i) wires.push_back(MustEncrypt(alice, "m", rng));
  // Message kMaxSkip + 1 needs kMaxSkip + 1 skipped keys in the new chain.
  ExpectRejected(bob, wires[kMaxSkip + 1], ErrorCode::kLimitExceeded);
  // Message kMaxSkip needs exactly kMaxSkip.
  ExpectDecrypts(bob, wires[kMaxSkip], "m");
  EXPECT_EQ(bob.stored_skipped_keys(), kMaxSkip);
  ExpectDecrypts(bob, wires[kMaxSkip + 1], "m");
  ExpectDecrypts(bob, wires[3], "m");

  // Now a gap in the current chain.
  std::vector<Bytes> more;
  for (uint32_t i = 0; i <= kMaxSkip + 1; ++i) more.push_back(MustEncrypt(alice, "n", rng));
  ExpectRejected(bob, more[kMaxSkip + 1], ErrorCode::kLimitExceeded);
  ExpectDecrypts(bob, more[kMaxSkip], "n");
}

TEST(RatchetRobustness, PreviousChainGapBeyondMaxSkipIsRejected) {
  crypto::DeterministicRandom rng("ratchet pn gap");
  auto [alice, bob] = MakePair(rng);
  ExpectDecrypts(bob, MustEncrypt(alice, "a0", rng), "a0");
  ExpectDecrypts(alice, MustEncrypt(bob, "b0", rng), "b0");
  // Alice's second chain: Bob reads its first message (Nr = 1), then loses
  // kMaxSkip + 1 more.
  ExpectDecrypts(bob, MustEncrypt(alice, "chain 2", rng), "chain 2");
  for (uint32_t i = 0; i < kMaxSkip + 1; ++i) MustEncrypt(alice, "lost", rng);
  ExpectDecrypts(alice, MustEncrypt(bob, "b1", rng), "b1");
  // Alice's third chain announces PN = kMaxSkip + 2: Bob would have to skip
  // kMaxSkip + 1 keys in chain 2.
  const Bytes next_chain = MustEncrypt(alice, "chain 3", rng);
  ExpectRejected(bob, next_chain, ErrorCode::kLimitExceeded);
}

TEST(RatchetRobustness, SkippedKeyCapEvictsTheOldest) {
  crypto::DeterministicRandom rng("ratchet skipped cap");
  auto [alice, bob] = MakePair(rng);
  // Three chains from Alice, each skipping kMaxSkip / 2 + ... keys, so the
  // total passes kMaxStoredSkippedKeys and the first chain's keys go first.
  std::vector<Bytes> first_of_chain;
  size_t expected = 0;
  for (int chain = 0; chain < 3; ++chain) {
    std::vector<Bytes> wires;
    for (uint32_t i = 0; i <= kMaxSkip; ++i) wires.push_back(MustEncrypt(alice, "c", rng));
    first_of_chain.push_back(wires[0]);
    ExpectDecrypts(bob, wires[kMaxSkip], "c");
    expected = std::min(expected + kMaxSkip, kMaxStoredSkippedKeys);
    EXPECT_EQ(bob.stored_skipped_keys(), expected);
    ExpectDecrypts(alice, MustEncrypt(bob, "ack", rng), "ack");
  }
  EXPECT_EQ(bob.stored_skipped_keys(), kMaxStoredSkippedKeys);
  // The oldest chain's skipped keys were evicted: its first message is no
  // longer readable; the two newer chains' are.
  ExpectRejected(bob, first_of_chain[0], ErrorCode::kDuplicate);
  ExpectDecrypts(bob, first_of_chain[1], "c");
  ExpectDecrypts(bob, first_of_chain[2], "c");
}

TEST(RatchetRobustness, SkippedKeysExpire) {
  crypto::DeterministicRandom rng("ratchet expiry");
  auto [alice, bob] = MakePair(rng);
  const Bytes late1 = MustEncrypt(alice, "late1", rng);
  const Bytes late2 = MustEncrypt(alice, "late2", rng);
  const Bytes late3 = MustEncrypt(alice, "late3", rng);
  ExpectDecrypts(bob, MustEncrypt(alice, "now", rng), "now", kNow);
  EXPECT_EQ(bob.stored_skipped_keys(), 3u);

  // Just inside the lifetime: usable.
  ExpectDecrypts(bob, late1, "late1", kNow + kSkippedKeyLifetimeSeconds - 1);
  // At the lifetime: refused, and state unchanged (the key is only dropped by
  // a successful Decrypt).
  ExpectRejected(bob, late2, ErrorCode::kExpired, kNow + kSkippedKeyLifetimeSeconds);
  EXPECT_EQ(bob.stored_skipped_keys(), 2u);
  // A clock that goes backwards does not expire anything.
  ExpectDecrypts(bob, late2, "late2", kNow - 1000);
  // Any successful Decrypt at a later time drops the expired key.
  ExpectDecrypts(bob, MustEncrypt(alice, "later", rng), "later",
                 kNow + kSkippedKeyLifetimeSeconds + 5);
  EXPECT_EQ(bob.stored_skipped_keys(), 0u);
  ExpectRejected(bob, late3, ErrorCode::kDuplicate, kNow + kSkippedKeyLifetimeSeconds + 5);
}

TEST(RatchetRobustness, ReceivingChainsAreBounded) {
  crypto::DeterministicRandom rng("ratchet chain cap");
  auto [alice, bob] = MakePair(rng);
  const Bytes first = MustEncrypt(alice, "first", rng);
  const Bytes lost = MustEncrypt(alice, "lost", rng);
  ExpectDecrypts(bob, first, "first");
  for (size_t i = 0; i < kMaxReceivingChains + 2; ++i) {
    ExpectDecrypts(bob, MustEncrypt(alice, "ping", rng), "ping");
    ExpectDecrypts(alice, MustEncrypt(bob, "pong", rng), "pong");
  }
  EXPECT_EQ(bob.receiving_chain_count(), kMaxReceivingChains);
  // The first chain (and the skipped key of "lost" in it) is forgotten.
  ExpectRejected(bob, lost, ErrorCode::kAuthFailed);
  ExpectRejected(bob, first, ErrorCode::kAuthFailed);
}

// Builds a message as a hostile peer holding the header key would: an
// arbitrary header under `header_key`, body sealed with `message_key`.
Bytes CraftMessage(const RatchetKey& header_key, const RatchetHeader& header,
                   const RatchetKey& message_key, ByteView ad, crypto::RandomSource& rng) {
  Bytes out(kMinWireMessageSize);
  out[0] = kRatchetWireVersion;
  rng.Fill(MutableByteView(out.data() + 1, kHeaderNonceSize));
  const auto h = header.Encode();
  std::copy(h.begin(), h.end(), out.begin() + 1 + kHeaderNonceSize);
  crypto::XChaChaSealInPlace(
      header_key.span(), crypto::ConstSpan<kHeaderNonceSize>(out.data() + 1, kHeaderNonceSize),
      ByteView(out.data(), 1), MutableByteView(out.data() + 1 + kHeaderNonceSize, 56));
  Pad(ByteView(), MutableByteView(out.data() + kWirePrefixSize, kMinPaddedSize));
  Bytes body_ad(ad.begin(), ad.end());
  body_ad.insert(body_ad.end(), out.begin(), out.begin() + kWirePrefixSize);
  const MessageAeadKey k = DeriveMessageAeadKey(message_key.span());
  crypto::XChaChaSealInPlace(
      k.key.span(), k.nonce.span(), body_ad,
      MutableByteView(out.data() + kWirePrefixSize, kMinPaddedSize + kAeadTagSize));
  return out;
}

TEST(RatchetRobustness, LowOrderRatchetKeyFromPeerIsRejected) {
  // Bob's first message would open under Alice's NHKr = shared_nhkb. A peer
  // announcing a low-order ratchet key gets kCryptoFailed, state unchanged.
  crypto::DeterministicRandom rng("ratchet hostile dh");
  RatchetInit init = testing::MakeInit(rng, "a|b");
  const RatchetKey nhkb = init.shared_nhkb.Clone();
  crypto::X25519KeyPair bob_ratchet = crypto::GenerateX25519KeyPair(rng);
  Result<Session> alice = Session::InitInitiator(std::move(init), bob_ratchet.public_key, rng);
  ASSERT_TRUE(alice.ok());
  RatchetHeader header{};
  header.dh.fill(0);  // all zero: a low-order point
  const Bytes wire = CraftMessage(nhkb, header, rng.Secret<32>(), AsBytes("a|b"), rng);
  ExpectRejected(*alice, wire, ErrorCode::kCryptoFailed);
}

TEST(RatchetRobustness, BadPaddingInsideAnAuthenticBodyIsRejected) {
  crypto::DeterministicRandom rng("ratchet bad padding");
  RatchetInit init = testing::MakeInit(rng, "a|b");
  const RatchetKey hka = init.shared_hka.Clone();
  const RatchetKey sk = init.root_key.Clone();
  crypto::X25519KeyPair bob_ratchet = crypto::GenerateX25519KeyPair(rng);
  const crypto::X25519KeyPair bob_copy{bob_ratchet.private_key.Clone(), bob_ratchet.public_key};
  Session bob = Session::InitResponder(std::move(init), std::move(bob_ratchet));
  // Play Alice by hand: first chain key from KDF_RK(SK, DH(a, B)).
  crypto::X25519KeyPair a = crypto::GenerateX25519KeyPair(rng);
  const RatchetKey dh = crypto::X25519(a.private_key.span(), bob_copy.public_key).value();
  const RootKdfOutput root = KdfRk(sk.span(), dh.span());
  const ChainKdfOutput ck = KdfCk(root.chain_key.span());
  RatchetHeader header{};
  header.dh = a.public_key;
  Bytes wire = CraftMessage(hka, header, ck.message_key, AsBytes("a|b"), rng);
  // Sanity: the hand-made message is accepted.
  {
    Result<Session> copy = Session::Deserialize(bob.Serialize());
    ExpectDecrypts(*copy, wire, "");
  }
  // Now a length prefix that overruns the body, sealed correctly.
  Bytes body(kMinPaddedSize, 0);
  body[2] = 0x01;  // length 256 > 252
  Bytes body_ad = Bytes{'a', '|', 'b'};
  body_ad.insert(body_ad.end(), wire.begin(), wire.begin() + kWirePrefixSize);
  const MessageAeadKey k = DeriveMessageAeadKey(ck.message_key.span());
  body.resize(kMinPaddedSize + kAeadTagSize);
  crypto::XChaChaSealInPlace(k.key.span(), k.nonce.span(), body_ad, body);
  std::copy(body.begin(), body.end(), wire.begin() + kWirePrefixSize);
  ExpectRejected(bob, wire, ErrorCode::kInvalidArgument);
}

TEST(RatchetRobustness, PeerCannotStartASecondChainBeforeWeReply) {
  // After Bob receives Alice's first chain, Alice cannot honestly start
  // another one until she has Bob's next ratchet key. A hand-made message
  // under Bob's new NHKr with yet another ratchet key is refused.
  crypto::DeterministicRandom rng("ratchet second chain");
  RatchetInit init = testing::MakeInit(rng, "a|b");
  const RatchetKey hka = init.shared_hka.Clone();
  const RatchetKey sk = init.root_key.Clone();
  crypto::X25519KeyPair bob_ratchet = crypto::GenerateX25519KeyPair(rng);
  const crypto::X25519PublicKey bob_public = bob_ratchet.public_key;
  Session bob = Session::InitResponder(std::move(init), std::move(bob_ratchet));
  const crypto::X25519KeyPair a = crypto::GenerateX25519KeyPair(rng);
  const RatchetKey dh = crypto::X25519(a.private_key.span(), bob_public).value();
  const RootKdfOutput root = KdfRk(sk.span(), dh.span());
  RatchetHeader first;
  first.dh = a.public_key;
  ExpectDecrypts(
      bob, CraftMessage(hka, first, KdfCk(root.chain_key.span()).message_key, AsBytes("a|b"), rng),
      "");
  RatchetHeader second;
  second.dh = crypto::GenerateX25519KeyPair(rng).public_key;
  second.pn = 1;
  ExpectRejected(bob,
                 CraftMessage(root.next_header_key, second, rng.Secret<32>(), AsBytes("a|b"), rng),
                 ErrorCode::kAuthFailed);
  // A header under HKr announcing a different ratchet key is refused too.
  RatchetHeader wrong_key = first;
  wrong_key.dh = second.dh;
  wrong_key.n = 1;
  ExpectRejected(bob, CraftMessage(hka, wrong_key, rng.Secret<32>(), AsBytes("a|b"), rng),
                 ErrorCode::kAuthFailed);
}

}  // namespace
}  // namespace attune::e2e
