// SqliteMailboxStore and GroupCommitter: persistence, FIFO, acks, expiry,
// reopen, and group commit under concurrent submitters.
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "attune/relay/core/mailbox_logic.h"
#include "attune/relay/store/group_commit.h"
#include "relay_test_util.h"

namespace attune::relay {
namespace {

using testing::MakeBlob;
using testing::OpenStoreOrDie;
using testing::Owner;
using testing::TempDir;

MailboxRecord NewMailbox(const Owner& o) {
  MailboxRecord r;
  r.id = o.id;
  r.owner_key = o.key.public_key;
  r.cap_hash = o.cap_hash();
  return r;
}

TEST(SqliteStoreTest, StoresAndFetchesInFifoOrder) {
  TempDir dir;
  auto store = OpenStoreOrDie(dir.file("relay.db"));
  Owner o = Owner::Random();
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
  for (uint64_t id = 1; id <= 3; ++id) {
    ASSERT_TRUE(store->AppendMessage(o.id, id, MakeBlob("blob" + std::to_string(id)), 1000).ok());
  }
  auto rec = store->GetMailbox(o.id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->next_message_id, 4u);
  EXPECT_EQ((*rec)->message_count, 3u);
  EXPECT_EQ((*rec)->byte_count, 15u);

  auto msgs = store->FetchMessages(o.id, 0, 10, 100, 1 << 20);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*msgs)[i].message_id, i + 1);
    EXPECT_EQ(*(*msgs)[i].blob, "blob" + std::to_string(i + 1));
  }
  // after_id, count and byte limits (at least one message always).
  auto after = store->FetchMessages(o.id, 1, 10, 1, 1 << 20);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].message_id, 2u);
  auto small = store->FetchMessages(o.id, 0, 10, 100, 1);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->size(), 1u);
}

TEST(SqliteStoreTest, AppendRejectsAnIdOtherThanTheNext) {
  TempDir dir;
  auto store = OpenStoreOrDie(dir.file("relay.db"));
  Owner o = Owner::Random();
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
  ASSERT_TRUE(store->Begin().ok());
  EXPECT_FALSE(store->AppendMessage(o.id, 5, MakeBlob("x"), 1000).ok());
  // The failure poisons the transaction: nothing of it is committed.
  EXPECT_FALSE(store->Commit().ok());
  auto msgs = store->FetchMessages(o.id, 0, 0, 10, 1 << 20);
  ASSERT_TRUE(msgs.ok());
  EXPECT_TRUE(msgs->empty());
}

TEST(SqliteStoreTest, AckDeletesAndKeepsIdsIncreasing) {
  TempDir dir;
  auto store = OpenStoreOrDie(dir.file("relay.db"));
  Owner o = Owner::Random();
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
  ASSERT_TRUE(store->AppendMessage(o.id, 1, MakeBlob("aa"), 1000).ok());
  ASSERT_TRUE(store->AppendMessage(o.id, 2, MakeBlob("bbb"), 1000).ok());
  auto del = store->DeleteMessage(o.id, 1);
  ASSERT_TRUE(del.ok());
  EXPECT_TRUE(*del);
  auto again = store->DeleteMessage(o.id, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  auto rec = store->GetMailbox(o.id);
  EXPECT_EQ((*rec)->message_count, 1u);
  EXPECT_EQ((*rec)->byte_count, 3u);
  ASSERT_TRUE(store->DeleteMessage(o.id, 2).ok());
  // Ids are never reused, even when the mailbox is empty.
  EXPECT_EQ(store->GetMailbox(o.id).value()->next_message_id, 3u);
}

TEST(SqliteStoreTest, ExpiredMessagesAreHiddenThenPurged) {
  TempDir dir;
  auto store = OpenStoreOrDie(dir.file("relay.db"));
  Owner o = Owner::Random();
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
  ASSERT_TRUE(store->AppendMessage(o.id, 1, MakeBlob("old"), 100).ok());
  ASSERT_TRUE(store->AppendMessage(o.id, 2, MakeBlob("new"), 300).ok());
  ASSERT_TRUE(store->InsertTicket(TicketRecord{Hash32{1}, 1, 150}).ok());

  auto visible = store->FetchMessages(o.id, 0, 200, 10, 1 << 20);
  ASSERT_TRUE(visible.ok());
  ASSERT_EQ(visible->size(), 1u);
  EXPECT_EQ((*visible)[0].message_id, 2u);

  auto purged = store->PurgeExpired(200, 1000);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1u);
  auto rec = store->GetMailbox(o.id);
  EXPECT_EQ((*rec)->message_count, 1u);
  EXPECT_EQ((*rec)->byte_count, 3u);
  EXPECT_FALSE(store->FindTicket(Hash32{1}).value().has_value());
  EXPECT_EQ(store->FetchMessages(o.id, 0, 0, 10, 1 << 20)->size(), 1u);
}

TEST(SqliteStoreTest, CommittedSurvivesReopenRolledBackDoesNot) {
  TempDir dir;
  Owner o = Owner::Random();
  {
    auto store = OpenStoreOrDie(dir.file("relay.db"));
    ASSERT_TRUE(store->Begin().ok());
    ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
    ASSERT_TRUE(store->AppendMessage(o.id, 1, MakeBlob("kept"), 1000).ok());
    ASSERT_TRUE(store->Commit().ok());
    ASSERT_TRUE(store->Begin().ok());
    ASSERT_TRUE(store->AppendMessage(o.id, 2, MakeBlob("dropped"), 1000).ok());
    store->Rollback();
  }
  auto store = OpenStoreOrDie(dir.file("relay.db"));
  auto msgs = store->FetchMessages(o.id, 0, 0, 10, 1 << 20);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 1u);
  EXPECT_EQ(*(*msgs)[0].blob, "kept");
}

TEST(SqliteStoreTest, RefusesAnotherSchemaVersion) {
  TempDir dir;
  { auto store = OpenStoreOrDie(dir.file("relay.db")); }
  // Simulate a database written by a future relay.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("relay.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 7", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto reopened = SqliteMailboxStore::Open(dir.file("relay.db"));
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code, ErrorCode::kUnsupportedVersion);
}

TEST(SqliteStoreTest, NotADatabaseIsAnError) {
  TempDir dir;
  FILE* f = std::fopen(dir.file("relay.db").c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::string junk(4096, 'x');
  std::fwrite(junk.data(), 1, junk.size(), f);
  std::fclose(f);
  EXPECT_FALSE(SqliteMailboxStore::Open(dir.file("relay.db")).ok());
}

// The write-behind mailbox cache: counters reach the database at commit,
// a rollback forgets cached changes, purge sees flushed counters.
TEST(CachedStoreTest, CountersAreWrittenAtCommitAndForgottenOnRollback) {
  TempDir dir;
  Owner o = Owner::Random();
  {
    auto store = OpenStoreOrDie(dir.file("relay.db"), /*cache_mailboxes=*/true);
    ASSERT_TRUE(store->Begin().ok());
    ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
    ASSERT_TRUE(store->AppendMessage(o.id, 1, MakeBlob("aaaa"), 100).ok());
    ASSERT_TRUE(store->AppendMessage(o.id, 2, MakeBlob("bb"), 1000).ok());
    ASSERT_TRUE(store->AppendMessage(o.id, 3, MakeBlob("c"), 1000).ok());
    EXPECT_FALSE(store->AppendMessage(o.id, 3, MakeBlob("dup"), 1000).ok());
    ASSERT_FALSE(store->Commit().ok());  // the bad append poisoned the batch
    ASSERT_TRUE(store->Begin().ok());
    ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
    ASSERT_TRUE(store->AppendMessage(o.id, 1, MakeBlob("aaaa"), 100).ok());
    ASSERT_TRUE(store->AppendMessage(o.id, 2, MakeBlob("bb"), 1000).ok());
    ASSERT_TRUE(store->AppendMessage(o.id, 3, MakeBlob("c"), 1000).ok());
    ASSERT_TRUE(store->DeleteMessage(o.id, 2).value());
    // Purge inside the same transaction: message 1 expired.
    ASSERT_EQ(store->PurgeExpired(200, 100).value(), 1u);
    ASSERT_TRUE(store->Commit().ok());
    ASSERT_TRUE(store->Begin().ok());
    ASSERT_TRUE(store->AppendMessage(o.id, 4, MakeBlob("rolled back"), 1000).ok());
    store->Rollback();
    // After the rollback the next id is 4 again.
    auto rec = store->GetMailbox(o.id);
    ASSERT_TRUE(rec.ok() && rec->has_value());
    EXPECT_EQ((*rec)->next_message_id, 4u);
    // Outside a transaction a write is complete on its own.
    ASSERT_TRUE(store->AppendMessage(o.id, 4, MakeBlob("dddd"), 1000).ok());
  }
  auto plain = OpenStoreOrDie(dir.file("relay.db"));
  auto rec = plain->GetMailbox(o.id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->next_message_id, 5u);
  EXPECT_EQ((*rec)->message_count, 2u);  // 3 and 4
  EXPECT_EQ((*rec)->byte_count, 5u);
  auto msgs = plain->FetchMessages(o.id, 0, 0, 10, 1 << 20);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 2u);
  EXPECT_EQ((*msgs)[0].message_id, 3u);
  EXPECT_EQ((*msgs)[1].message_id, 4u);
}

// Many threads send concurrently through the committer: every send is
// acknowledged with a distinct, gap-free id, the sends share commits (fewer
// batches than operations), and everything is there after reopening.
void ConcurrentSendsAreBatchedAndAllDurable(bool cache_mailboxes) {
  TempDir dir;
  Owner o = Owner::Random();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  MailboxLimits limits;
  GroupCommitter::Stats stats;
  {
    auto store = OpenStoreOrDie(dir.file("relay.db"), cache_mailboxes);
    ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
    GroupCommitter committer(*store);
    committer.Start();
    std::mutex mu;
    std::condition_variable cv;
    std::set<uint64_t> ids;
    int done = 0;
    int failures = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          SendRequest req{o.id, o.cap_hash(),
                          MakeBlob("t" + std::to_string(t) + "-" + std::to_string(i))};
          committer.Submit([&, req](MailboxStore& s) -> GroupCommitter::Completion {
            Outcome out = SendMessage(s, req, limits, 1);
            return [&, out](const Status& commit) {
              std::lock_guard<std::mutex> lock(mu);
              if (commit.ok() && out.ok()) {
                ids.insert(out.message_id);
              } else {
                failures++;
              }
              done++;
              cv.notify_all();
            };
          });
        }
      });
    }
    for (auto& th : threads) th.join();
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(
        cv.wait_for(lock, std::chrono::seconds(60), [&] { return done == kThreads * kPerThread; }));
    EXPECT_EQ(failures, 0);
    ASSERT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
    EXPECT_EQ(*ids.begin(), 1u);
    EXPECT_EQ(*ids.rbegin(), static_cast<uint64_t>(kThreads * kPerThread));
    lock.unlock();
    committer.Stop();
    stats = committer.stats();
  }
  EXPECT_EQ(stats.operations, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LT(stats.batches, stats.operations);
  auto store = OpenStoreOrDie(dir.file("relay.db"));
  auto msgs = store->FetchMessages(o.id, 0, 0, 10000, 1 << 30);
  ASSERT_TRUE(msgs.ok());
  EXPECT_EQ(msgs->size(), static_cast<size_t>(kThreads * kPerThread));
  auto rec = store->GetMailbox(o.id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->next_message_id, static_cast<uint64_t>(kThreads * kPerThread + 1));
  EXPECT_EQ((*rec)->message_count, static_cast<uint64_t>(kThreads * kPerThread));
}

TEST(GroupCommitTest, ConcurrentSendsAreBatchedAndAllDurable) {
  ConcurrentSendsAreBatchedAndAllDurable(false);
}

TEST(GroupCommitTest, ConcurrentSendsWithMailboxCache) {
  ConcurrentSendsAreBatchedAndAllDurable(true);
}

TEST(GroupCommitTest, SubmitAfterStopIsRefused) {
  TempDir dir;
  auto store = OpenStoreOrDie(dir.file("relay.db"));
  GroupCommitter committer(*store);
  committer.Start();
  committer.Stop();
  EXPECT_FALSE(committer.Submit([](MailboxStore&) { return GroupCommitter::Completion(); }));
}

}  // namespace
}  // namespace attune::relay
