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

#include "relay_burst.h"
#include "relay_test_util.h"

namespace attune::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

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
