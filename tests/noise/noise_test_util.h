// Helpers shared by the noise tests: deterministic key pairs and completed
// handshakes.
#pragma once

#include <gtest/gtest.h>

#include <string_view>
#include <utility>

#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/crypto/x25519.h"
#include "attune/noise/handshake.h"

namespace attune::noise::testing {

inline crypto::X25519KeyPair KeyPairFromLabel(std::string_view label) {
  crypto::DeterministicRandom rng(label);
  return crypto::GenerateX25519KeyPair(rng);
}

// A fixed relay key and fixed ephemerals, so the same inputs give the same
// messages every time (needed to re-run a handshake up to a chosen point).
struct FixedKeys {
  crypto::X25519KeyPair relay = KeyPairFromLabel("noise-test relay static");
  crypto::X25519KeyPair init_e = KeyPairFromLabel("noise-test initiator ephemeral");
  crypto::X25519KeyPair resp_e = KeyPairFromLabel("noise-test responder ephemeral");

  Handshake Initiator() const {
    return Handshake::InitiatorWithEphemeral(relay.public_key, AsBytes(kRelayPrologue),
                                             init_e.private_key.span());
  }
  Handshake Responder() const {
    return Handshake::ResponderWithEphemeral(relay, AsBytes(kRelayPrologue),
                                             resp_e.private_key.span());
  }
};

struct SessionPair {
  TransportSession initiator;
  TransportSession responder;
};

// Runs both messages with empty payloads and finishes both sides.
inline SessionPair CompleteHandshake(Handshake initiator, Handshake responder) {
  auto m1 = initiator.WriteMessage({});
  EXPECT_TRUE(m1.ok());
  EXPECT_TRUE(responder.ReadMessage(*m1).ok());
  auto m2 = responder.WriteMessage({});
  EXPECT_TRUE(m2.ok());
  EXPECT_TRUE(initiator.ReadMessage(*m2).ok());
  auto a = initiator.Finish();
  auto b = responder.Finish();
  EXPECT_TRUE(a.ok());
  EXPECT_TRUE(b.ok());
  return SessionPair{std::move(a).value(), std::move(b).value()};
}

class NoiseTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::Init().ok()); }
};

}  // namespace attune::noise::testing
