// net::ReconnectingRelay (what `attune watch` uses) against a real relay that
// is killed and restarted: it rides out the outage without errors, comes
// back with its subscriptions, and gets unacknowledged messages again.
#include <gtest/gtest.h>

#include "attune/net/reconnecting_relay.h"
#include "relay_test_util.h"

namespace attune::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Bytes BlobOf(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(RelayReconnect, WatchSurvivesRelayRestartsAndGetsUnackedAgain) {
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  RelayUnderTest& r = **relay;
  TestMailbox mailbox = NewMailboxKeys();
  {
    ATTUNE_CONNECT_OR_FAIL(c, r);
    ATTUNE_ASSERT_OK(CreateWithCredential(*c, mailbox, r.credential()));
  }
  auto send = [&](std::string_view text) {
    auto c = r.Connect();
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    ASSERT_TRUE((*c)->Send(mailbox.id, mailbox.capability.span(), BlobOf(text)).ok());
  };

  net::ReconnectPolicy policy;
  policy.backoff = {milliseconds(20), milliseconds(200)};
  policy.connect_timeout = seconds(2);
  net::ReconnectingRelay watch(r.endpoint(), policy, crypto::SystemRandom());
  ATTUNE_ASSERT_OK(watch.AddSubscription(mailbox.id, mailbox.owner));

  send("one");
  auto one = watch.NextDelivery(seconds(5));
  ASSERT_TRUE(one.ok() && one->has_value()) << (one.ok() ? "timeout" : one.error().ToString());
  EXPECT_EQ((*one)->blob, BlobOf("one"));
  ATTUNE_ASSERT_OK(watch.Ack(mailbox.id, (*one)->message_id));
  EXPECT_EQ(watch.connect_count(), 1u);

  // Relay down: waiting is quiet (no error), bounded by the timeout.
  r.Kill9();
  const auto start = std::chrono::steady_clock::now();
  auto during = watch.NextDelivery(milliseconds(400));
  ASSERT_TRUE(during.ok()) << during.error().ToString();
  EXPECT_FALSE(during->has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(3));
  EXPECT_FALSE(watch.connected());

  // Back on the same address: it resubscribes by itself.
  ATTUNE_ASSERT_OK(r.Restart(/*same_port=*/true));
  send("two");
  auto two = watch.NextDelivery(seconds(10));
  ASSERT_TRUE(two.ok() && two->has_value()) << (two.ok() ? "timeout" : two.error().ToString());
  EXPECT_EQ((*two)->blob, BlobOf("two"));
  EXPECT_EQ(watch.connect_count(), 2u);

  // Not acked before the next crash: delivered again afterwards.
  r.Kill9();
  ATTUNE_ASSERT_OK(r.Restart(/*same_port=*/true));
  auto again = watch.NextDelivery(seconds(10));
  ASSERT_TRUE(again.ok() && again->has_value())
      << (again.ok() ? "timeout" : again.error().ToString());
  EXPECT_EQ((*again)->message_id, (*two)->message_id);
  EXPECT_EQ((*again)->blob, BlobOf("two"));
  ATTUNE_ASSERT_OK(watch.Ack(mailbox.id, (*again)->message_id));
}

TEST(RelayReconnect, ConnectFailsFastOnWrongRelayKey) {
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  net::RelayEndpoint wrong = (*relay)->endpoint();
  wrong.relay_public_key[0] ^= 1;
  auto c = net::RelayConnection::Connect(wrong, seconds(5), crypto::SystemRandom());
  ASSERT_FALSE(c.ok());
  // The relay drops a handshake it cannot decrypt, so the client sees the
  // connection end before message 2: an I/O error, not a hang.
  EXPECT_TRUE(c.error().code == ErrorCode::kIoError || c.error().code == ErrorCode::kAuthFailed)
      << c.error().ToString();
  net::RelayEndpoint closed = (*relay)->endpoint();
  (*relay)->Kill9();
  auto refused = net::RelayConnection::Connect(closed, seconds(5), crypto::SystemRandom());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kIoError);
}

}  // namespace
}  // namespace attune::testing
