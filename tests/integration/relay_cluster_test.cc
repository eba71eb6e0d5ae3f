// Relay clusters: two attune-relay processes on one PostgreSQL database with
// one static key (docs/deploy.md, "Cluster"). A message sent through one node
// is pushed at once to a subscriber on the other; a subscriber that moves
// gets everything it did not ack; kill -9 of a node and an immediate stop of
// the database lose nothing acknowledged; a quota holds across nodes.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "attune/testing/pg_server.h"
#include "relay_burst.h"
#include "relay_test_util.h"

namespace attune::testing {
namespace {

// The [store] section for database `db` of `pg`, over the burst settings.
RelaySettings ClusterSettings(const PgServer& pg, const std::string& db,
                              RelaySettings base = kBurstSettings) {
  base["store"] = {{"backend", "\"postgres\""},
                   {"connection", "\"" + pg.ConnectionWithoutPassfile(db) + "\""},
                   {"password_file", "\"" + pg.PasswordFile() + "\""}};
  return base;
}

struct Cluster {
  std::string db{};
  std::unique_ptr<RelayUnderTest> a{};
  std::unique_ptr<RelayUnderTest> b{};
};

// Two nodes on a fresh database of `pg`.
Result<Cluster> StartCluster(PgServer& pg, RelaySettings base = kBurstSettings) {
  ATTUNE_ASSIGN_OR_RETURN(std::string db, pg.CreateDatabase());
  const RelaySettings settings = ClusterSettings(pg, db, std::move(base));
  Cluster c;
  c.db = db;
  ATTUNE_ASSIGN_OR_RETURN(c.a, RelayUnderTest::StartNode(settings, nullptr));
  ATTUNE_ASSIGN_OR_RETURN(c.b, RelayUnderTest::StartNode(settings, c.a.get()));
  return c;
}

#define ATTUNE_SHARED_PG_OR_SKIP(var) \
  PgServer* var = PgServer::Shared(); \
  if ((var) == nullptr) GTEST_SKIP() << PgServer::SkipReason()

TEST(RelayCluster, SentViaOneNodeIsPushedAtOnceOnTheOther) {
  ATTUNE_SHARED_PG_OR_SKIP(pg);
  auto cluster = StartCluster(*pg);
  ASSERT_TRUE(cluster.ok()) << cluster.error().ToString();
  // One key serves the cluster: an invitation names it once.
  ASSERT_EQ(cluster->a->public_key(), cluster->b->public_key());
  E2eSealer sealer;
  TestMailbox mailbox = NewMailboxKeys();
  ATTUNE_CONNECT_OR_FAIL(owner, *cluster->b);
  ATTUNE_ASSERT_OK(CreateWithCredential(*owner, mailbox, cluster->b->credential()));
  ATTUNE_ASSERT_OK(owner->Subscribe(mailbox.id, mailbox.owner));
  ATTUNE_CONNECT_OR_FAIL(sender, *cluster->a);
  for (int i = 0; i < 5; ++i) {
    const std::string text = "check-in " + std::to_string(i);
    const auto start = std::chrono::steady_clock::now();
    auto id = sender->Send(mailbox.id, mailbox.capability.span(), sealer.Seal(AsBytes(text)));
    ATTUNE_ASSERT_OK(id);
    // The subscriber is caught up: only node A's notification makes node B
    // fetch, so this delivery proves the push path.
    auto d = owner->NextDelivery(std::chrono::seconds(5));
    ATTUNE_ASSERT_OK(d);
    ASSERT_TRUE(d->has_value()) << "message " << i << " was not pushed on node B";
    EXPECT_EQ((**d).message_id, *id);
    auto opened = sealer.Open((**d).blob);
    ATTUNE_ASSERT_OK(opened);
    EXPECT_EQ(std::string(AsStringView(*opened)), text);
    ATTUNE_ASSERT_OK(owner->Ack(mailbox.id, (**d).message_id));
    RecordProperty("push_ms_" + std::to_string(i),
                   static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - start)
                                        .count()));
  }
}

TEST(RelayCluster, SubscriberMovingToAnotherNodeGetsEverythingNotAcked) {
  ATTUNE_SHARED_PG_OR_SKIP(pg);
  auto cluster = StartCluster(*pg);
  ASSERT_TRUE(cluster.ok()) << cluster.error().ToString();
  E2eSealer sealer;
  TestMailbox mailbox = NewMailboxKeys();
  ATTUNE_CONNECT_OR_FAIL(sender, *cluster->a);
  ATTUNE_ASSERT_OK(CreateWithCredential(*sender, mailbox, cluster->a->credential()));
  std::vector<uint64_t> ids;
  for (int i = 0; i < 10; ++i) {
    auto id = sender->Send(mailbox.id, mailbox.capability.span(),
                           sealer.Seal(AsBytes("m" + std::to_string(i))));
    ATTUNE_ASSERT_OK(id);
    ids.push_back(*id);
  }
  {
    ATTUNE_CONNECT_OR_FAIL(on_a, *cluster->a);
    ATTUNE_ASSERT_OK(on_a->Subscribe(mailbox.id, mailbox.owner));
    auto got = ReceiveN(*on_a, 5, std::chrono::seconds(10));
    ASSERT_EQ(got.size(), 5u);
    // Acks 3 of the 5 received; 2 were received but not acked.
    for (size_t i = 0; i < 3; ++i) ATTUNE_ASSERT_OK(on_a->Ack(mailbox.id, got[i].message_id));
  }
  ATTUNE_CONNECT_OR_FAIL(on_b, *cluster->b);
  ATTUNE_ASSERT_OK(on_b->Subscribe(mailbox.id, mailbox.owner));
  auto got = ReceiveN(*on_b, 7, std::chrono::seconds(10));
  ASSERT_EQ(got.size(), 7u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].message_id, ids[3 + i]);
    auto opened = sealer.Open(got[i].blob);
    ATTUNE_ASSERT_OK(opened);
    EXPECT_EQ(std::string(AsStringView(*opened)), "m" + std::to_string(3 + i));
  }
  // And new sends through A keep reaching it on B.
  auto id = sender->Send(mailbox.id, mailbox.capability.span(), sealer.Seal(AsBytes("after")));
  ATTUNE_ASSERT_OK(id);
  auto more = ReceiveN(*on_b, 1, std::chrono::seconds(5));
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].message_id, *id);
}

// PROTOCOL.md 2.6/2.7: a rotation or deletion closes every other subscribed
// connection, also those on another node (told through NOTIFY).
TEST(RelayCluster, RotationAndDeletionThroughOneNodeCloseSubscribersOnTheOther) {
  ATTUNE_SHARED_PG_OR_SKIP(pg);
  auto cluster = StartCluster(*pg);
  ASSERT_TRUE(cluster.ok()) << cluster.error().ToString();
  E2eSealer sealer;
  TestMailbox mailbox = NewMailboxKeys();
  ATTUNE_CONNECT_OR_FAIL(owner, *cluster->a);
  ATTUNE_ASSERT_OK(CreateWithCredential(*owner, mailbox, cluster->a->credential()));
  ATTUNE_CONNECT_OR_FAIL(on_b, *cluster->b);
  ATTUNE_ASSERT_OK(on_b->Subscribe(mailbox.id, mailbox.owner));
  // A push from A reaching B proves B listens to the channel.
  ATTUNE_ASSERT_OK(owner->Send(mailbox.id, mailbox.capability.span(), sealer.Seal(AsBytes("x"))));
  ASSERT_EQ(ReceiveN(*on_b, 1, std::chrono::seconds(5)).size(), 1u);

  TestMailbox rotated = NewMailboxKeys();
  rotated.id = mailbox.id;
  ATTUNE_ASSERT_OK(owner->RotateMailbox(mailbox.id, mailbox.owner, rotated.owner,
                                        net::ComputeSendCapabilityHash(rotated.capability.span())));
  auto closed = on_b->NextDelivery(std::chrono::seconds(5));
  EXPECT_FALSE(closed.ok()) << "the old key's subscription on node B survived the rotation";

  ATTUNE_CONNECT_OR_FAIL(again_b, *cluster->b);
  ATTUNE_ASSERT_OK(again_b->Subscribe(mailbox.id, rotated.owner));
  ASSERT_EQ(ReceiveN(*again_b, 1, std::chrono::seconds(5)).size(), 1u);  // "x" was not acked
  ATTUNE_ASSERT_OK(owner->DeleteMailbox(mailbox.id, rotated.owner));
  auto gone = again_b->NextDelivery(std::chrono::seconds(5));
  EXPECT_FALSE(gone.ok()) << "a subscription on node B survived the deletion";
}

// The LISTEN connection of `node` (named with its pid, pg_listener.cc).
std::string ListenerOf(const std::string& db, RelayUnderTest& node) {
  return "datname = '" + db + "' AND application_name = 'attune-relay listener " +
         std::to_string(node.process().pid()) + "'";
}

// Waits until `node`'s listening connection is present (or gone): polls
// pg_stat_activity until the state is observed or 20 s passed.
bool AwaitListener(PgServer& pg, const std::string& db, RelayUnderTest& node, bool present) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto rows = pg.Query("SELECT pid FROM pg_stat_activity WHERE " + ListenerOf(db, node));
    if (rows.ok() && rows->empty() != present) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Ends `node`'s LISTEN connection and keeps it from reconnecting (the
// database refuses new connections; the nodes' open store connections stay)
// until ReopenDatabase.
Status CutListener(PgServer& pg, const std::string& db, RelayUnderTest& node) {
  ATTUNE_RETURN_IF_ERROR(pg.Query("ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS false"));
  ATTUNE_ASSIGN_OR_RETURN(auto killed, pg.Query("SELECT pg_terminate_backend(pid) FROM "
                                                "pg_stat_activity WHERE " +
                                                ListenerOf(db, node)));
  if (killed.size() != 1) return MakeError(ErrorCode::kNotFound, "listener connection not found");
  if (!AwaitListener(pg, db, node, false)) {
    return MakeError(ErrorCode::kIoError, "listener connection did not end");
  }
  return Status::Ok();
}

Status ReopenDatabase(PgServer& pg, const std::string& db, RelayUnderTest& node) {
  ATTUNE_RETURN_IF_ERROR(pg.Query("ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS true"));
  if (!AwaitListener(pg, db, node, true)) {
    return MakeError(ErrorCode::kIoError, "listener did not reconnect");
  }
  return Status::Ok();
}

// A rotation or deletion committed while node B's LISTEN connection was
// down (no NOTIFY reaches it) still closes B's subscribers of the old key
// once B is listening again: B re-reads the owner keys of its subscribed
// mailboxes. A subscriber that proved the new key stays.
TEST(RelayCluster, EvictionsCommittedWhileANodeWasNotListeningCloseItsSubscribers) {
  ATTUNE_SHARED_PG_OR_SKIP(pg);
  auto cluster = StartCluster(*pg);
  ASSERT_TRUE(cluster.ok()) << cluster.error().ToString();
  RelayUnderTest& b = *cluster->b;
  E2eSealer sealer;
  TestMailbox mailbox = NewMailboxKeys();
  ATTUNE_CONNECT_OR_FAIL(owner, *cluster->a);
  ATTUNE_ASSERT_OK(CreateWithCredential(*owner, mailbox, cluster->a->credential()));
  ATTUNE_CONNECT_OR_FAIL(old_b, b);
  ATTUNE_ASSERT_OK(old_b->Subscribe(mailbox.id, mailbox.owner));
  ATTUNE_ASSERT_OK(owner->Send(mailbox.id, mailbox.capability.span(), sealer.Seal(AsBytes("x"))));
  ASSERT_EQ(ReceiveN(*old_b, 1, std::chrono::seconds(5)).size(), 1u);

  ATTUNE_ASSERT_OK(CutListener(*pg, cluster->db, b));
  TestMailbox rotated = NewMailboxKeys();
  rotated.id = mailbox.id;
  ATTUNE_ASSERT_OK(owner->RotateMailbox(mailbox.id, mailbox.owner, rotated.owner,
                                        net::ComputeSendCapabilityHash(rotated.capability.span())));
  // B's store connections still work: a subscriber proves the new key there.
  ATTUNE_CONNECT_OR_FAIL(new_b, b);
  ATTUNE_ASSERT_OK(new_b->Subscribe(mailbox.id, rotated.owner));
  ASSERT_EQ(ReceiveN(*new_b, 1, std::chrono::seconds(5)).size(), 1u);  // "x", not acked
  ATTUNE_ASSERT_OK(ReopenDatabase(*pg, cluster->db, b));
  auto closed = old_b->NextDelivery(std::chrono::seconds(20));
  EXPECT_FALSE(closed.ok()) << "the old key's subscription on node B survived the rotation";
  // The new key's subscriber stays, and B hears node A again.
  ATTUNE_ASSERT_OK(owner->Send(mailbox.id, rotated.capability.span(), sealer.Seal(AsBytes("y"))));
  auto y = ReceiveN(*new_b, 1, std::chrono::seconds(5));
  ASSERT_EQ(y.size(), 1u) << "the new key's subscriber on node B was closed or not pushed";
  auto opened = sealer.Open(y[0].blob);
  ATTUNE_ASSERT_OK(opened);
  EXPECT_EQ(std::string(AsStringView(*opened)), "y");

  ATTUNE_ASSERT_OK(CutListener(*pg, cluster->db, b));
  ATTUNE_ASSERT_OK(owner->DeleteMailbox(mailbox.id, rotated.owner));
  ATTUNE_ASSERT_OK(ReopenDatabase(*pg, cluster->db, b));
  auto gone = new_b->NextDelivery(std::chrono::seconds(20));
  EXPECT_FALSE(gone.ok()) << "a subscription on node B survived the deletion";
}

TEST(RelayCluster, KillNineOfANodeDuringBurstLosesNothingAcknowledged) {
  ATTUNE_SHARED_PG_OR_SKIP(pg);
  auto cluster = StartCluster(*pg);
  ASSERT_TRUE(cluster.ok()) << cluster.error().ToString();
  E2eSealer sealer;
  constexpr int kCycles = 10;
  for (int round = 0; round < kCycles; ++round) {
    SCOPED_TRACE("cycle " + std::to_string(round));
    // Alternate which node dies; the survivor serves the check.
    RelayUnderTest& victim = round % 2 == 0 ? *cluster->a : *cluster->b;
    RelayUnderTest& survivor = round % 2 == 0 ? *cluster->b : *cluster->a;
    const auto mailboxes = CreateMailboxes(victim, Burst::kSenders);
    ASSERT_EQ(mailboxes.size(), Burst::kSenders);
    Burst burst(victim, mailboxes, sealer, round);
    burst.Start();
    const bool reached = burst.WaitForAcked(60 + 25 * static_cast<size_t>(round), seconds(30));
    victim.Kill9();
    burst.Join();
    ASSERT_TRUE(reached) << "the burst did not get going";
    const auto acked = burst.acked();
    ASSERT_GT(burst.attempted(), acked.size()) << "no sends were in flight at the kill";
    ExpectAllAckedDelivered(survivor, mailboxes, sealer, acked, burst.attempted());
    ATTUNE_ASSERT_OK(victim.Restart());
  }
}

// Sends one message, retrying while the relay answers UNAVAILABLE (the
// database is still down or the node has not reconnected yet).
Result<uint64_t> SendWithRetry(RelayUnderTest& relay, const TestMailbox& mailbox, ByteView blob,
                               std::chrono::seconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  Error last = MakeError(ErrorCode::kIoError, "never tried");
  while (std::chrono::steady_clock::now() < deadline) {
    auto c = relay.Connect();
    if (c.ok()) {
      auto id = (*c)->Send(mailbox.id, mailbox.capability.span(), blob);
      if (id.ok()) return id;
      last = id.error();
    } else {
      last = c.error();
    }
    std::this_thread::sleep_for(milliseconds(200));  // client backoff, not a deadline wait
  }
  return last;
}

TEST(RelayCluster, DatabaseImmediateStopDuringBurstLosesNothingAcknowledged) {
  auto pg = PgServer::StartPrivate();
  if (!pg.ok() && pg.error().code == ErrorCode::kNotFound) GTEST_SKIP() << pg.error().message;
  ASSERT_TRUE(pg.ok()) << pg.error().ToString();
  auto cluster = StartCluster(**pg);
  ASSERT_TRUE(cluster.ok()) << cluster.error().ToString();
  RelayUnderTest& node = *cluster->a;
  E2eSealer sealer;
  const auto mailboxes = CreateMailboxes(node, Burst::kSenders);
  ASSERT_EQ(mailboxes.size(), Burst::kSenders);
  // A subscriber on the other node, connected across the outage.
  TestMailbox watched = NewMailboxKeys();
  ATTUNE_CONNECT_OR_FAIL(watcher, *cluster->b);
  ATTUNE_ASSERT_OK(CreateWithCredential(*watcher, watched, cluster->b->credential()));
  ATTUNE_ASSERT_OK(watcher->Subscribe(watched.id, watched.owner));

  Burst burst(node, mailboxes, sealer, 0);
  burst.Start();
  ASSERT_TRUE(burst.WaitForAcked(150, seconds(30))) << "the burst did not get going";
  ATTUNE_ASSERT_OK((*pg)->Crash());
  // With the database gone the node answers UNAVAILABLE, and the senders
  // stop at their first such answer.
  burst.Join();
  const auto acked = burst.acked();
  ASSERT_GT(burst.attempted(), acked.size());
  EXPECT_TRUE(node.running()) << "the node must survive the database outage";
  ATTUNE_ASSERT_OK((*pg)->Restart());

  // The nodes reconnect on their own; then what was acknowledged is there.
  auto id = SendWithRetry(node, watched, sealer.Seal(AsBytes("after the outage")), seconds(60));
  ATTUNE_ASSERT_OK(id);
  // Reads use their own connection, which may still be backing off: retry
  // a subscription as a client would before checking.
  bool readable = false;
  for (int attempt = 0; attempt < 100 && !readable; ++attempt) {
    auto probe = node.Connect();
    readable = probe.ok() && (*probe)->Subscribe(mailboxes[0].id, mailboxes[0].owner).ok();
    if (!readable) std::this_thread::sleep_for(milliseconds(200));  // client backoff
  }
  ASSERT_TRUE(readable) << node.AllLogs();
  ExpectAllAckedDelivered(node, mailboxes, sealer, acked, burst.attempted());
  // The subscriber on B kept its connection and is pushed the new message
  // (B's listener reconnected and rescanned).
  auto pushed = ReceiveN(*watcher, 1, std::chrono::seconds(20));
  ASSERT_EQ(pushed.size(), 1u) << node.AllLogs() << cluster->b->AllLogs();
  EXPECT_EQ(pushed[0].message_id, *id);
}

TEST(RelayCluster, QuotaHoldsWhenTwoNodesRace) {
  ATTUNE_SHARED_PG_OR_SKIP(pg);
  RelaySettings settings = kBurstSettings;
  constexpr size_t kQuota = 20;
  settings["mailbox"] = {{"max_messages_per_mailbox", std::to_string(kQuota)}};
  auto cluster = StartCluster(*pg, settings);
  ASSERT_TRUE(cluster.ok()) << cluster.error().ToString();
  E2eSealer sealer;
  TestMailbox mailbox = NewMailboxKeys();
  {
    ATTUNE_CONNECT_OR_FAIL(c, *cluster->a);
    ATTUNE_ASSERT_OK(CreateWithCredential(*c, mailbox, cluster->a->credential()));
  }
  constexpr size_t kPerSender = 30;
  std::atomic<size_t> accepted{0};
  auto race = [&](RelayUnderTest& node) {
    auto c = node.Connect();
    if (!c.ok()) return;
    std::vector<uint64_t> requests;
    for (size_t i = 0; i < kPerSender; ++i) {
      auto r = (*c)->SendNoWait(mailbox.id, mailbox.capability.span(), sealer.Seal(AsBytes("x")));
      if (!r.ok()) return;
      requests.push_back(*r);
    }
    for (uint64_t r : requests) {
      if ((*c)->AwaitSend(r).ok()) accepted++;
    }
  };
  std::thread on_a(race, std::ref(*cluster->a));
  std::thread on_b(race, std::ref(*cluster->b));
  on_a.join();
  on_b.join();
  EXPECT_LE(accepted.load(), kQuota);
  EXPECT_GT(accepted.load(), 0u);
  ATTUNE_CONNECT_OR_FAIL(owner, *cluster->b);
  ATTUNE_ASSERT_OK(owner->Subscribe(mailbox.id, mailbox.owner));
  auto stored = DrainDeliveries(*owner, milliseconds(1500));
  EXPECT_EQ(stored.size(), accepted.load());
  EXPECT_LE(stored.size(), kQuota);
}

}  // namespace
}  // namespace attune::testing
