// A burst of sealed sends whose acknowledgements are recorded, and the check
// that every acknowledged message comes back intact (shared by the
// durability and cluster tests).
#pragma once

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

using std::chrono::milliseconds;
using std::chrono::seconds;

// Test relays keep every unacked delivery in flight so a drain needs no acks
// and the send rate limit never interferes.
inline const RelaySettings kBurstSettings = {{"limits",
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

inline std::vector<TestMailbox> CreateMailboxes(RelayUnderTest& relay, size_t n) {
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
inline void ExpectAllAckedDelivered(RelayUnderTest& relay,
                                    const std::vector<TestMailbox>& mailboxes,
                                    const E2eSealer& sealer,
                                    const std::map<Acked, std::string>& acked, size_t max_stored) {
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

}  // namespace attune::testing
