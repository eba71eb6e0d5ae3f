// Randomised property test: two parties, thousands of steps of random sends,
// drops, duplicates, reorders, tampering and save/restore. Every message that
// arrives for the first time decrypts exactly once to the right plaintext;
// every re-delivery or tampered copy is refused with the state unchanged.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ratchet_test_util.h"

namespace attune::e2e {
namespace {

// Two seeds of 3,000 steps: a few seconds under ASan on a loaded CI runner.
constexpr int kSteps = 3000;
constexpr int kSeeds = 2;
// Deliveries pick among the oldest few messages in flight: reordering within
// a window, as a store-and-forward relay with retries produces. A message can
// still be overtaken by many others (it is picked with probability 1/window).
constexpr size_t kReorderWindow = 8;

struct InFlight {
  Bytes wire{};
  std::string plaintext{};
  uint64_t id = 0;
};

struct Party {
  std::unique_ptr<Session> session{};
  std::deque<InFlight> inbox{};       // sent to this party, not yet delivered
  std::vector<InFlight> delivered{};  // delivered to this party
  std::map<uint64_t, bool> seen{};    // id -> decrypted
};

// A small deterministic PRNG over DeterministicRandom bytes.
class Dice {
 public:
  explicit Dice(crypto::RandomSource& rng) : rng_(rng) {}
  uint32_t Below(uint32_t n) {
    uint8_t b[4];
    rng_.Fill(MutableByteView(b, 4));
    return ReadU32BE(b) % n;
  }

 private:
  crypto::RandomSource& rng_;
};

void RunProperty(int seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  crypto::DeterministicRandom rng("ratchet property " + std::to_string(seed));
  crypto::DeterministicRandom dice_rng("ratchet property dice " + std::to_string(seed));
  Dice dice(dice_rng);
  auto pair = testing::MakePair(rng);
  Party parties[2];
  parties[0].session = std::make_unique<Session>(std::move(pair.alice));
  parties[1].session = std::make_unique<Session>(std::move(pair.bob));

  uint64_t now = testing::kNow;
  uint64_t next_id = 0;
  size_t sends = 0, first_deliveries = 0, duplicates = 0, drops = 0, tampered = 0, restores = 0,
         ratchet_steps = 0;

  for (int step = 0; step < kSteps; ++step) {
    now += dice.Below(60);
    const int who = static_cast<int>(dice.Below(2));
    Party& self = parties[who];
    Party& peer = parties[1 - who];
    const uint32_t action = dice.Below(100);

    if (action < 40) {  // send
      if (!self.session->can_send()) continue;
      const uint64_t id = next_id++;
      const std::string text =
          "message " + std::to_string(id) + " " + std::string(dice.Below(600), 'x');
      const crypto::X25519PublicKey key_before = self.session->ratchet_public_key();
      Result<Bytes> wire = self.session->Encrypt(testing::Text(text), rng);
      ASSERT_TRUE(wire.ok()) << wire.error().ToString();
      if (self.session->ratchet_public_key() != key_before) ++ratchet_steps;
      peer.inbox.push_back(InFlight{std::move(wire).value(), text, id});
      ++sends;
    } else if (action < 75) {  // deliver one of the oldest few
      if (self.inbox.empty()) continue;
      const size_t window = std::min(self.inbox.size(), kReorderWindow);
      const size_t index = dice.Below(static_cast<uint32_t>(window));
      InFlight message = std::move(self.inbox[index]);
      self.inbox.erase(self.inbox.begin() + static_cast<std::ptrdiff_t>(index));
      Result<Bytes> plain = self.session->Decrypt(message.wire, now);
      ASSERT_TRUE(plain.ok()) << "step " << step << " id " << message.id << ": "
                              << plain.error().ToString();
      ASSERT_EQ(AsStringView(*plain), message.plaintext);
      ASSERT_FALSE(self.seen[message.id]) << "decrypted twice";
      self.seen[message.id] = true;
      self.delivered.push_back(std::move(message));
      ++first_deliveries;
    } else if (action < 85) {  // re-deliver something already delivered
      if (self.delivered.empty()) continue;
      const InFlight& old =
          self.delivered[dice.Below(static_cast<uint32_t>(self.delivered.size()))];
      const Bytes before = self.session->Serialize();
      Result<Bytes> again = self.session->Decrypt(old.wire, now);
      ASSERT_FALSE(again.ok()) << "re-delivery of " << old.id << " decrypted again";
      // kAuthFailed only once the chain's header key has been forgotten
      // (kMaxReceivingChains back).
      ASSERT_TRUE(again.error().code == ErrorCode::kDuplicate ||
                  again.error().code == ErrorCode::kAuthFailed)
          << again.error().ToString();
      ASSERT_EQ(self.session->Serialize(), before);
      ++duplicates;
    } else if (action < 90) {  // drop (lost forever)
      if (self.inbox.empty()) continue;
      self.inbox.erase(self.inbox.begin() +
                       static_cast<std::ptrdiff_t>(dice.Below(
                           static_cast<uint32_t>(std::min(self.inbox.size(), kReorderWindow)))));
      ++drops;
    } else if (action < 95) {  // tampered copy of an in-flight message
      if (self.inbox.empty()) continue;
      Bytes copy = self.inbox[dice.Below(static_cast<uint32_t>(self.inbox.size()))].wire;
      const uint32_t bit = dice.Below(static_cast<uint32_t>(copy.size() * 8));
      copy[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      const Bytes before = self.session->Serialize();
      ASSERT_FALSE(self.session->Decrypt(copy, now).ok());
      ASSERT_EQ(self.session->Serialize(), before);
      ++tampered;
    } else {  // save and restore
      const Bytes saved = self.session->Serialize();
      Result<Session> restored = Session::Deserialize(saved);
      ASSERT_TRUE(restored.ok()) << restored.error().ToString();
      ASSERT_EQ(restored->Serialize(), saved);
      self.session = std::make_unique<Session>(std::move(restored).value());
      ++restores;
    }
  }
  // Drain what is still in flight, oldest first: all of it decrypts.
  for (Party& p : parties) {
    while (!p.inbox.empty()) {
      InFlight m = std::move(p.inbox.front());
      p.inbox.pop_front();
      Result<Bytes> plain = p.session->Decrypt(m.wire, now);
      ASSERT_TRUE(plain.ok()) << plain.error().ToString();
      ASSERT_EQ(AsStringView(*plain), m.plaintext);
      ++first_deliveries;
    }
  }
  EXPECT_EQ(first_deliveries + drops, sends);
  // The run exercised every kind of step.
  EXPECT_GT(sends, 900u);
  EXPECT_GT(duplicates, 100u);
  EXPECT_GT(drops, 50u);
  EXPECT_GT(tampered, 50u);
  EXPECT_GT(restores, 50u);
  EXPECT_GT(ratchet_steps, 20u);
}

TEST(RatchetProperty, RandomSendsDropsDuplicatesReordersAndRestores) {
  for (int seed = 0; seed < kSeeds; ++seed) {
    RunProperty(seed);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace attune::e2e
