// Protocol v2 (wire version 2): a sender whose session state was rewound —
// a restored copy of the profile, or a crash before the rollback anchor was
// written — never encrypts two messages under the same (key, nonce), and
// everything protocol v1 wrote (session state, first messages, queued
// ratchet messages) stays readable.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "attune/crypto/aead.h"
#include "attune/e2e/identity.h"
#include "attune/e2e/invitation.h"
#include "attune/e2e/x3dh.h"
#include "e2e.pb.h"
#include "ratchet_test_util.h"

namespace attune::e2e {
namespace {

using testing::ExpectDecrypts;
using testing::kNow;
using testing::MakePair;
using testing::MustEncrypt;

// The sending chain key inside a serialised state (envelope: u32 length).
RatchetKey SendingChainKey(const Bytes& serialized) {
  v1::SessionState state;
  EXPECT_TRUE(state.ParseFromArray(serialized.data() + 4, static_cast<int>(serialized.size() - 4)));
  RatchetKey ck{};
  EXPECT_EQ(state.sending_chain_key().size(), 32u);
  std::memcpy(ck.data(), state.sending_chain_key().data(), 32);
  return ck;
}

TEST(ProtocolV2, RestoredSessionNeverReusesAKeystream) {
  crypto::DeterministicRandom rng("v2 restored session");
  auto [alice, bob] = MakePair(rng);
  ExpectDecrypts(bob, MustEncrypt(alice, "hello", rng), "hello");
  ExpectDecrypts(alice, MustEncrypt(bob, "hi", rng), "hi");
  ExpectDecrypts(bob, MustEncrypt(alice, "new chain", rng), "new chain");
  // The backup: alice's state and bob's, before alice's next message.
  const Bytes alice_backup = alice.Serialize();
  const Bytes bob_backup = bob.Serialize();

  const std::string p1(200, 'A');
  const std::string p2 = "a different message of the same bucket size, after the restore";
  const Bytes m1 = MustEncrypt(alice, p1, rng);
  Result<Session> restored = Session::Deserialize(alice_backup);
  ASSERT_TRUE(restored.ok());
  const Bytes m2 = MustEncrypt(*restored, p2, rng);
  ASSERT_EQ(m1.size(), m2.size());
  EXPECT_EQ(m1[0], kRatchetWireVersion);
  EXPECT_EQ(kRatchetWireVersion, 2);

  // Both messages are at the same counter: the same message key.
  const RatchetKey mk = KdfCk(SendingChainKey(alice_backup).span()).message_key;
  const auto nonce_of = [](const Bytes& m) {
    return crypto::ConstSpan<kHeaderNonceSize>(m.data() + 1, kHeaderNonceSize);
  };
  const MessageAeadKey k1 = DeriveMessageAeadKey(mk.span(), nonce_of(m1));
  const MessageAeadKey k2 = DeriveMessageAeadKey(mk.span(), nonce_of(m2));
  EXPECT_FALSE(crypto::ConstantTimeEqual(k1.key.view(), k2.key.view()));
  EXPECT_FALSE(crypto::ConstantTimeEqual(k1.nonce.view(), k2.nonce.view()));

  // They really are the keys of the two bodies.
  // Outside the lambda: clang (clang-tidy) cannot capture a structured binding.
  const Bytes bob_ad(bob.associated_data().begin(), bob.associated_data().end());
  auto open = [&](const Bytes& m, const MessageAeadKey& k) {
    Bytes ad = bob_ad;
    Append(ad, ByteView(m).first(kWirePrefixSize));
    return crypto::XChaChaOpen(k.key.span(), k.nonce.span(), ad,
                               ByteView(m).subspan(kWirePrefixSize));
  };
  auto padded1 = open(m1, k1);
  auto padded2 = open(m2, k2);
  ASSERT_TRUE(padded1.ok());
  ASSERT_TRUE(padded2.ok());

  // What the relay could compute: the XOR of the two ciphertext bodies is
  // not the XOR of the two (padded) plaintexts, as it would be under a
  // reused keystream.
  ASSERT_EQ(padded1->size(), padded2->size());
  size_t equal = 0;
  for (size_t i = 0; i < padded1->size(); ++i) {
    const uint8_t c = m1[kWirePrefixSize + i] ^ m2[kWirePrefixSize + i];
    const uint8_t p = (*padded1)[i] ^ (*padded2)[i];
    if (c == p) ++equal;
  }
  EXPECT_LT(equal, padded1->size() / 16);  // ~1/256 match by chance

  // Each is a valid message for bob (one of them will be the duplicate).
  ExpectDecrypts(bob, m1, p1);
  Result<Session> bob2 = Session::Deserialize(bob_backup);
  ASSERT_TRUE(bob2.ok());
  ExpectDecrypts(*bob2, m2, p2);
}

nlohmann::json LoadFixture() {
  std::ifstream in(std::string(ATTUNE_SOURCE_DIR) + "/tests/e2e/data/v1_session.json");
  EXPECT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

Bytes Hex(const nlohmann::json& j) {
  std::optional<Bytes> b = FromHex(j.get<std::string>());
  EXPECT_TRUE(b.has_value());
  return b.value_or(Bytes{});
}

// Written by the protocol v1 code (tests/e2e/data/v1_session.json).
TEST(ProtocolV2, ReadsV1StateFirstMessagesAndQueuedMessages) {
  ASSERT_TRUE(crypto::Init().ok());
  const nlohmann::json f = LoadFixture();
  const uint64_t now = f["now"].get<uint64_t>();
  auto therapist = Identity::Deserialize(Hex(f["therapist_identity"]));
  ASSERT_TRUE(therapist.ok());
  auto secrets = InvitationSecrets::Deserialize(Hex(f["invitation_secrets"]));
  ASSERT_TRUE(secrets.ok());
  const Bytes first = Hex(f["first_message"]);
  const Bytes queued = Hex(f["queued_message"]);
  ASSERT_EQ(queued[0], kRatchetWireVersionV1);

  // A v1 first message still queued at the client is accepted by v2 code.
  auto processed = ProcessFirstMessage(*therapist, *secrets, first, now + 120);
  ASSERT_TRUE(processed.ok()) << processed.error().ToString();
  EXPECT_EQ(AsStringView(processed->plaintext), f["first_plaintext"].get<std::string>());

  // v1 session states written by v1 code keep working, in both directions.
  auto therapist_session = Session::Deserialize(Hex(f["therapist_state"]));
  auto client_session = Session::Deserialize(Hex(f["client_state"]));
  ASSERT_TRUE(therapist_session.ok()) << therapist_session.error().ToString();
  ASSERT_TRUE(client_session.ok()) << client_session.error().ToString();
  ExpectDecrypts(*therapist_session, queued, f["queued_plaintext"].get<std::string>(), now + 200);
  crypto::DeterministicRandom rng("v2 reply");
  const Bytes reply = MustEncrypt(*therapist_session, "a v2 reply", rng);
  EXPECT_EQ(reply[0], kRatchetWireVersion);
  ExpectDecrypts(*client_session, reply, "a v2 reply", now + 300);
  ExpectDecrypts(*therapist_session, MustEncrypt(*client_session, "and back", rng), "and back",
                 now + 400);
}

TEST(ProtocolV2, UnknownWireVersionsAreRefused) {
  crypto::DeterministicRandom rng("v2 versions");
  auto [alice, bob] = MakePair(rng);
  Bytes m = MustEncrypt(alice, "x", rng);
  for (uint8_t v : {uint8_t{0}, uint8_t{3}, uint8_t{0xff}}) {
    m[0] = v;
    testing::ExpectRejected(bob, m, ErrorCode::kUnsupportedVersion);
  }
  // Relabelling a v2 message as v1 (to pick the other key derivation) fails
  // authentication: the version byte is in the header's AD.
  m[0] = kRatchetWireVersionV1;
  testing::ExpectRejected(bob, m, ErrorCode::kAuthFailed);
}

}  // namespace
}  // namespace attune::e2e
