// Session state persistence: exact restore, strict parsing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "e2e.pb.h"
#include "ratchet_test_util.h"

namespace attune::e2e {
namespace {

using testing::ExpectDecrypts;
using testing::kNow;
using testing::MakePair;
using testing::MustEncrypt;

// A session with every kind of state: several chains, skipped keys in two of
// them, a pending sending step.
testing::SessionPair BusyPair(crypto::RandomSource& rng) {
  testing::SessionPair p = MakePair(rng);
  MustEncrypt(p.alice, "lost", rng);
  ExpectDecrypts(p.bob, MustEncrypt(p.alice, "a1", rng), "a1");
  ExpectDecrypts(p.alice, MustEncrypt(p.bob, "b0", rng), "b0");
  MustEncrypt(p.alice, "lost too", rng);
  ExpectDecrypts(p.bob, MustEncrypt(p.alice, "a2", rng), "a2");
  return p;
}

Bytes Envelope(const std::string& proto) {
  Bytes out;
  AppendU32BE(out, static_cast<uint32_t>(proto.size()));
  Append(out, AsBytes(proto));
  return out;
}

v1::SessionState ParseState(const Bytes& serialized) {
  v1::SessionState state;
  EXPECT_TRUE(state.ParseFromArray(serialized.data() + 4, static_cast<int>(serialized.size() - 4)));
  return state;
}

TEST(RatchetState, RestoresExactlyAndKeepsWorking) {
  crypto::DeterministicRandom rng("ratchet state restore");
  auto [alice, bob] = BusyPair(rng);
  EXPECT_EQ(bob.stored_skipped_keys(), 2u);
  const Bytes alice_bytes = alice.Serialize();
  const Bytes bob_bytes = bob.Serialize();
  Result<Session> alice2 = Session::Deserialize(alice_bytes);
  Result<Session> bob2 = Session::Deserialize(bob_bytes);
  ASSERT_TRUE(alice2.ok()) << alice2.error().ToString();
  ASSERT_TRUE(bob2.ok()) << bob2.error().ToString();
  EXPECT_EQ(alice2->Serialize(), alice_bytes);
  EXPECT_EQ(bob2->Serialize(), bob_bytes);
  EXPECT_EQ(bob2->stored_skipped_keys(), 2u);
  EXPECT_EQ(Bytes(bob2->associated_data().begin(), bob2->associated_data().end()),
            Bytes(bob.associated_data().begin(), bob.associated_data().end()));

  // Original and restored copies behave identically for the same input.
  crypto::DeterministicRandom r1("same"), r2("same");
  const Bytes m1 = MustEncrypt(bob, "from bob", r1);
  const Bytes m2 = MustEncrypt(*bob2, "from bob", r2);
  EXPECT_EQ(m1, m2);
  ExpectDecrypts(*alice2, m2, "from bob");
  ExpectDecrypts(*bob2, MustEncrypt(*alice2, "from alice", rng), "from alice");
}

TEST(RatchetState, FreshResponderRoundTrips) {
  crypto::DeterministicRandom rng("ratchet state fresh");
  auto [alice, bob] = MakePair(rng);
  Result<Session> bob2 = Session::Deserialize(bob.Serialize());
  ASSERT_TRUE(bob2.ok());
  ExpectDecrypts(*bob2, MustEncrypt(alice, "first", rng), "first");
}

TEST(RatchetState, RejectsTrailingBytesAndEveryTruncation) {
  crypto::DeterministicRandom rng("ratchet state strict");
  auto [alice, bob] = BusyPair(rng);
  const Bytes good = bob.Serialize();
  Bytes longer = good;
  longer.push_back(0);
  EXPECT_EQ(Session::Deserialize(longer).error().code, ErrorCode::kInvalidArgument);
  for (size_t n = 0; n < good.size(); ++n) {
    Result<Session> r = Session::Deserialize(ByteView(good).first(n));
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes accepted";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
  // A truncation with the envelope length fixed up, at a protobuf field
  // boundary (drops the associated data field, the last one): the binding
  // of both identities is mandatory.
  v1::SessionState state = ParseState(good);
  state.clear_associated_data();
  EXPECT_FALSE(Session::Deserialize(Envelope(state.SerializeAsString())).ok());
}

TEST(RatchetState, RejectsUnknownVersionUnknownFieldsAndBadSizes) {
  crypto::DeterministicRandom rng("ratchet state fields");
  auto [alice, bob] = BusyPair(rng);
  const Bytes good = bob.Serialize();
  {
    v1::SessionState state = ParseState(good);
    state.set_version(kSessionStateVersion + 1);
    EXPECT_EQ(Session::Deserialize(Envelope(state.SerializeAsString())).error().code,
              ErrorCode::kUnsupportedVersion);
    state.set_version(0);
    EXPECT_EQ(Session::Deserialize(Envelope(state.SerializeAsString())).error().code,
              ErrorCode::kUnsupportedVersion);
  }
  {
    // An unknown field (number 99, varint 1) inside the envelope.
    std::string proto(good.begin() + 4, good.end());
    proto += std::string("\x98\x06\x01", 3);  // tag (99 << 3 | varint), value 1
    EXPECT_EQ(Session::Deserialize(Envelope(proto)).error().code, ErrorCode::kInvalidArgument);
  }
  {
    // A field repeated (protobuf's "last one wins" would accept it).
    std::string proto(good.begin() + 4, good.end());
    proto += std::string("\x58\x07", 2);  // sending_counter = 7 again, out of order
    EXPECT_EQ(Session::Deserialize(Envelope(proto)).error().code, ErrorCode::kInvalidArgument);
  }
  const auto expect_invalid = [](const v1::SessionState& state, const char* what) {
    Result<Session> r = Session::Deserialize(Envelope(state.SerializeAsString()));
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << what;
  };
  {
    v1::SessionState s = ParseState(good);
    s.set_root_key(std::string(31, 'k'));
    expect_invalid(s, "short root key");
  }
  {
    v1::SessionState s = ParseState(good);
    s.set_ratchet_public_key(std::string(32, 'p'));
    expect_invalid(s, "public key not matching private key");
  }
  {
    v1::SessionState s = ParseState(good);
    s.mutable_receiving_chains(0)->mutable_skipped(0)->set_message_key(std::string(33, 'm'));
    expect_invalid(s, "long skipped key");
  }
  {
    v1::SessionState s = ParseState(good);
    s.clear_receiving_chains();
    expect_invalid(s, "receiving chain key without its chain");
  }
  {
    v1::SessionState s = ParseState(good);
    for (int i = 0; i <= static_cast<int>(kMaxReceivingChains); ++i) {
      s.add_receiving_chains()->set_header_key(std::string(32, 'h'));
    }
    expect_invalid(s, "too many chains");
  }
  {
    v1::SessionState s = ParseState(good);
    auto* chain = s.mutable_receiving_chains(0);
    *chain->add_skipped() = chain->skipped(0);  // same n twice
    expect_invalid(s, "skipped keys out of order");
  }
}

}  // namespace
}  // namespace attune::e2e
