// The client's delivery queue against what a real relay may push at once: a
// therapist's sync subscribes up to 64 mailboxes on one connection, and the
// relay pushes a full window (128) of stored messages for each right after
// Subscribe, before the client has read or acked any of them.
#include <gtest/gtest.h>

#include "relay_test_util.h"

namespace attune::testing {
namespace {

using std::chrono::seconds;

TEST(RelayDeliveryQueue, SixtyFourFullWindowsDoNotEndTheConnection) {
  constexpr size_t kMailboxes = net::RelayConnection::kRelayMaxSubscriptionsPerConnection;
  constexpr size_t kWindow = net::RelayConnection::kRelayDeliveryWindow;
  constexpr size_t kPerMailbox = kWindow + 2;  // more waiting than one window
  // The relay's own defaults for subscriptions and window; only the send
  // rate limit is lifted so that filling the mailboxes is quick.
  auto relay = RelayUnderTest::Start(
      {{"limits", {{"requests_per_second", "100000"}, {"request_burst", "100000"}}}});
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  RelayUnderTest& r = **relay;

  std::vector<TestMailbox> mailboxes;
  {
    ATTUNE_CONNECT_OR_FAIL(sender, r);
    for (size_t i = 0; i < kMailboxes; ++i) {
      mailboxes.push_back(NewMailboxKeys());
      ATTUNE_ASSERT_OK(CreateWithCredential(*sender, mailboxes.back(), r.credential()));
    }
    const Bytes blob(200, 0x5a);
    for (size_t i = 0; i < kMailboxes; ++i) {
      std::vector<uint64_t> requests;
      for (size_t k = 0; k < kPerMailbox; ++k) {
        auto id = sender->SendNoWait(mailboxes[i].id, mailboxes[i].capability.span(), blob);
        ASSERT_TRUE(id.ok()) << id.error().ToString();
        requests.push_back(*id);
      }
      for (uint64_t id : requests) ASSERT_TRUE(sender->AwaitSend(id).ok());
    }
  }
  ATTUNE_CONNECT_OR_FAIL(owner, r);
  for (const TestMailbox& m : mailboxes) {
    Status s = owner->Subscribe(m.id, m.owner);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
  }
  // Every window arrives; nothing was refused as "too many unread".
  size_t received = 0;
  while (received < kMailboxes * kWindow) {
    auto d = owner->NextDelivery(std::chrono::milliseconds(5000));
    ASSERT_TRUE(d.ok()) << "after " << received << ": " << d.error().ToString();
    ASSERT_TRUE(d->has_value()) << "only " << received << " arrived";
    ++received;
  }
  EXPECT_TRUE(owner->is_open());
}

}  // namespace
}  // namespace attune::testing
