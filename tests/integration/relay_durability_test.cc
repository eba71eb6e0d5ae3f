// Durability against a real attune-relay: what the relay acknowledged
// survives a graceful restart, SIGTERM mid-burst and kill -9 mid-burst, and
// comes back intact (docs/PROTOCOL.md (part mailbox) section 4).
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "relay_test_util.h"

namespace attune::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Test relays keep every unacked delivery in flight so a drain needs no acks
// and the send rate limit never interferes.
const RelaySettings kBurstSettings = {{"limits",
                                       {{"delivery_window", "10000"},
                                        {"max_write_queue_bytes", "16777216"},
                                        {"requests_per_second", "100000"},
                                        {"request_burst", "100000"}}}};

struct Acked {
  size_t mailbox = 0;
  uint64_t message_id = 0;
  bool operator<(const Acked& o) const {
    return std::tie(mailbox, message_id) < std::tie(o.mailbox, o.message_id);
  }
};

// Senders push sealed blobs (up to kWindow in flight each) into their own
// mailbox until their connection dies; every acknowledged send is recorded
// with its plaintext.
class Burst {
 public:
  static constexpr size_t kSenders = 4;
  static constexpr size_t kWindow = 32;

  Burst(const RelayUnderTest& relay, const std::vector<TestMailbox>& mailboxes,
        const E2eSealer& sealer, int round)
      : relay_(relay), mailboxes_(mailboxes), sealer_(sealer), round_(round) {}

  void Start() {
    for (size_t s = 0; s < kSenders; ++s) threads_.emplace_back([this, s] { Run(s); });
  }
  // Waits until `n` sends were acknowledged (false after `timeout`).
  bool WaitForAcked(size_t n, milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return acked_.size() >= n; });
  }
  void Join() {
    for (auto& t : threads_) t.join();
  }
  std::map<Acked, std::string> acked() const {
    std::lock_guard lock(mu_);
    return acked_;
  }
  size_t attempted() const { return attempted_.load(); }

 private:
  void Run(size_t s) {
    auto connection = relay_.Connect();
    if (!connection.ok()) return;
    std::deque<std::pair<uint64_t, std::string>> in_flight;
    for (uint64_t seq = 0; seq < 100000; ++seq) {
      if (in_flight.size() >= kWindow) {
        if (!Collect(**connection, s, in_flight)) return;
      }
      std::string plaintext = "attune check-in round " + std::to_string(round_) + " sender " +
                              std::to_string(s) + " seq " + std::to_string(seq) +
                              " mood=4 sleep=7 note=slept badly, anxious before work";
      auto id = (*connection)
                    ->SendNoWait(mailboxes_[s].id, mailboxes_[s].capability.span(),
                                 sealer_.Seal(AsBytes(plaintext)));
      if (!id.ok()) return;
      ++attempted_;
      in_flight.emplace_back(*id, std::move(plaintext));
    }
  }

  bool Collect(net::RelayConnection& connection, size_t s,
               std::deque<std::pair<uint64_t, std::string>>& in_flight) {
    auto [request, plaintext] = std::move(in_flight.front());
    in_flight.pop_front();
    auto message_id = connection.AwaitSend(request);
    if (!message_id.ok()) return false;
    std::lock_guard lock(mu_);
    acked_.emplace(Acked{s, *message_id}, std::move(plaintext));
    cv_.notify_all();
    return true;
  }

  const RelayUnderTest& relay_;
  const std::vector<TestMailbox>& mailboxes_;
  const E2eSealer& sealer_;
  const int round_ = 0;
  std::vector<std::thread> threads_{};
  mutable std::mutex mu_{};
  std::condition_variable cv_{};
  std::map<Acked, std::string> acked_{};
  std::atomic<size_t> attempted_{0};
};

std::vector<TestMailbox> CreateMailboxes(RelayUnderTest& relay, size_t n) {
  std::vector<TestMailbox> out;
  auto c = relay.Connect();
  EXPECT_TRUE(c.ok());
  if (!c.ok()) return out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(NewMailboxKeys());
    Status s = CreateWithCredential(**c, out.back(), relay.credential());
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return out;
}

// Subscribes to every mailbox and checks: each acknowledged message is
// delivered exactly with its plaintext; every delivery (acknowledged or
// not) opens, i.e. nothing is corrupted; ids strictly increase.
void ExpectAllAckedDelivered(RelayUnderTest& relay, const std::vector<TestMailbox>& mailboxes,
                             const E2eSealer& sealer, const std::map<Acked, std::string>& acked,
                             size_t max_stored) {
  for (size_t m = 0; m < mailboxes.size(); ++m) {
    size_t expected = 0;
    uint64_t max_acked_id = 0;
    for (const auto& [key, text] : acked) {
      if (key.mailbox == m) {
        ++expected;
        max_acked_id = std::max(max_acked_id, key.message_id);
      }
    }
    auto c = relay.Connect();
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    ATTUNE_ASSERT_OK((*c)->Subscribe(mailboxes[m].id, mailboxes[m].owner));
    size_t found = 0;
    uint64_t last_id = 0;
    const auto deadline = std::chrono::steady_clock::now() + seconds(20);
    // Read until the highest acknowledged id shows up; unacknowledged but
    // stored messages may come too and must be intact as well.
    for (size_t n = 0; n <= max_stored && last_id < max_acked_id;) {
      if (std::chrono::steady_clock::now() > deadline) break;
      auto d = (*c)->NextDelivery(seconds(5));
      ASSERT_TRUE(d.ok()) << d.error().ToString();
      ASSERT_TRUE(d->has_value()) << "mailbox " << m << ": delivery stalled after id " << last_id
                                  << ", " << found << " of " << expected << " acked seen";
      const net::Delivery& delivery = **d;
      ++n;
      EXPECT_GT(delivery.message_id, last_id) << "FIFO order broken";
      last_id = delivery.message_id;
      auto plaintext = sealer.Open(delivery.blob);
      ASSERT_TRUE(plaintext.ok()) << "corrupted blob, message " << delivery.message_id;
      auto it = acked.find(Acked{m, delivery.message_id});
      if (it != acked.end()) {
        EXPECT_EQ(std::string(AsStringView(*plaintext)), it->second);
        ++found;
      }
    }
    EXPECT_EQ(found, expected) << "mailbox " << m << " lost acknowledged messages";
  }
}

TEST(RelayDurability, OfflineMessagesSurviveGracefulRestart) {
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  E2eSealer sealer;
  TestMailbox mailbox = NewMailboxKeys();
  std::vector<std::string> sent;
  {
    ATTUNE_CONNECT_OR_FAIL(c, **relay);
    ATTUNE_ASSERT_OK(CreateWithCredential(*c, mailbox, (*relay)->credential()));
    for (int i = 0; i < 5; ++i) {
      sent.push_back("offline message " + std::to_string(i));
      ASSERT_TRUE(
          c->Send(mailbox.id, mailbox.capability.span(), sealer.Seal(AsBytes(sent.back()))).ok());
    }
  }
  auto status = (*relay)->Terminate(seconds(5));
  ASSERT_TRUE(status.has_value()) << "relay ignored SIGTERM";
  EXPECT_TRUE(status->Success()) << status->ToString();
  ATTUNE_ASSERT_OK((*relay)->Restart());

  ATTUNE_CONNECT_OR_FAIL(owner, **relay);
  ATTUNE_ASSERT_OK(owner->Subscribe(mailbox.id, mailbox.owner));
  auto got = ReceiveN(*owner, sent.size(), seconds(5));
  ASSERT_EQ(got.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    auto plaintext = sealer.Open(got[i].blob);
    ASSERT_TRUE(plaintext.ok());
    EXPECT_EQ(std::string(AsStringView(*plaintext)), sent[i]);
  }
}

TEST(RelayDurability, KillNineDuringBurstLosesNoAcknowledgedMessage) {
  auto relay = RelayUnderTest::Start(kBurstSettings);
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  E2eSealer sealer;
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const auto mailboxes = CreateMailboxes(**relay, Burst::kSenders);
    ASSERT_EQ(mailboxes.size(), Burst::kSenders);
    Burst burst(**relay, mailboxes, sealer, round);
    burst.Start();
    // Kill at a different point each round, always mid-burst.
    const bool reached = burst.WaitForAcked(200 + 150 * static_cast<size_t>(round), seconds(20));
    (*relay)->Kill9();
    burst.Join();
    ASSERT_TRUE(reached) << "the burst did not get going";
    const auto acked = burst.acked();
    ASSERT_GT(burst.attempted(), acked.size()) << "no sends were in flight at the kill";
    ATTUNE_ASSERT_OK((*relay)->Restart());
    ExpectAllAckedDelivered(**relay, mailboxes, sealer, acked, burst.attempted());
  }
}

TEST(RelayDurability, SigtermDuringBurstIsGracefulAndLosesNothing) {
  auto relay = RelayUnderTest::Start(kBurstSettings);
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  E2eSealer sealer;
  const auto mailboxes = CreateMailboxes(**relay, Burst::kSenders);
  ASSERT_EQ(mailboxes.size(), Burst::kSenders);
  // An idle subscriber must not hold the shutdown up.
  ATTUNE_CONNECT_OR_FAIL(idle, **relay);
  ATTUNE_ASSERT_OK(idle->Subscribe(mailboxes[0].id, mailboxes[0].owner));

  Burst burst(**relay, mailboxes, sealer, 0);
  burst.Start();
  ASSERT_TRUE(burst.WaitForAcked(200, seconds(20)));
  const auto started = std::chrono::steady_clock::now();
  auto status = (*relay)->Terminate(seconds(10));
  const auto took = std::chrono::steady_clock::now() - started;
  burst.Join();
  ASSERT_TRUE(status.has_value()) << "relay did not exit after SIGTERM";
  EXPECT_TRUE(status->Success()) << status->ToString();
  EXPECT_LT(took, seconds(5)) << "graceful shutdown should take at most ~3 s";
  // The subscriber got what was pushed before the shutdown, then the close.
  DrainDeliveries(*idle, seconds(2));
  EXPECT_FALSE(idle->is_open());

  ATTUNE_ASSERT_OK((*relay)->Restart());
  ExpectAllAckedDelivered(**relay, mailboxes, sealer, burst.acked(), burst.attempted());
}

}  // namespace
}  // namespace attune::testing
