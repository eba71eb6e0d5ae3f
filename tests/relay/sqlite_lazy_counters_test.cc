// The relay's writer stores mailbox counters lazily (SqliteMailboxStore::
// FlushDirty): these tests copy the database files while the store is still
// open, as a kill -9 would leave them, and check that a relay restarted on the
// copy never reuses a message id and has counters that agree with the rows.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <functional>
#include <map>

#include "attune/relay/core/mailbox_logic.h"
#include "attune/relay/store/sqlite_store.h"
#include "relay_test_util.h"

namespace attune::relay {
namespace {

using testing::MakeBlob;
using testing::Owner;
using testing::TempDir;

constexpr uint64_t kNow = 1000;

std::unique_ptr<SqliteMailboxStore> OpenCached(const std::string& path) {
  SqliteMailboxStore::Options options;
  options.cache_mailboxes = true;  // as the relay's committer
  auto store = SqliteMailboxStore::Open(path, options);
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
  return store.ok() ? std::move(store).value() : nullptr;
}

// Runs each request in its own transaction as the group committer does
// (operation scope, commit, AfterCommit under load), but never the idle
// maintenance that would write every counter: what a crash under load
// leaves.
struct Committer {
  explicit Committer(SqliteMailboxStore& store) : store(store) {}
  Outcome Run(const std::function<Outcome(MailboxStore&)>& work) {
    EXPECT_TRUE(store.Begin().ok());
    EXPECT_TRUE(store.BeginOperation().ok());
    Outcome o = work(store);
    EXPECT_TRUE(store.EndOperation().ok());
    EXPECT_TRUE(store.Commit().ok());
    store.AfterCommit(/*idle=*/false);
    return o;
  }
  SqliteMailboxStore& store;
};

Outcome Send(Committer& c, const Owner& o, const std::string& blob) {
  SendRequest req{o.id, o.cap_hash(), MakeBlob(blob)};
  return c.Run([req](MailboxStore& s) { return SendMessage(s, req, MailboxLimits{}, kNow); });
}

Outcome Ack(Committer& c, const Owner& o, uint64_t id) {
  AckRequest req{o.id, id};
  return c.Run([req](MailboxStore& s) { return AckMessage(s, req); });
}

// The files as a kill -9 right now would leave them (every commit is in the
// WAL, which is what a crash keeps).
std::string CrashCopy(const TempDir& dir, const std::string& path, const std::string& name) {
  const std::string copy = dir.file(name);
  for (const char* suffix : {"", "-wal"}) {
    if (std::filesystem::exists(path + suffix)) {
      std::filesystem::copy_file(path + suffix, copy + suffix);
    }
  }
  return copy;
}

void ExpectCountersMatchRows(const std::string& path, const Owner& o,
                             const std::map<uint64_t, std::string>& expected) {
  auto store = OpenCached(path);
  ASSERT_NE(store, nullptr);
  auto msgs = store->FetchMessages(o.id, 0, 0, 100000, size_t{1} << 30);
  ASSERT_TRUE(msgs.ok());
  std::map<uint64_t, std::string> got;
  uint64_t bytes = 0;
  for (const StoredMessage& m : *msgs) {
    got[m.message_id] = *m.blob;
    bytes += m.blob->size();
  }
  EXPECT_EQ(got, expected);
  auto rec = store->GetMailbox(o.id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->message_count, got.size());
  EXPECT_EQ((*rec)->byte_count, bytes);
}

TEST(SqliteLazyCountersTest, AckingTheNewestMessageNeverLetsARestartReuseItsId) {
  TempDir dir;
  const std::string path = dir.file("relay.db");
  Owner o = Owner::Random();
  auto store = OpenCached(path);
  ASSERT_NE(store, nullptr);
  MailboxRecord r;
  r.id = o.id;
  r.owner_key = o.key.public_key;
  r.cap_hash = o.cap_hash();
  ASSERT_TRUE(store->InsertMailbox(r).ok());
  std::string crashed;
  {
    Committer c(*store);
    for (int i = 1; i <= 3; ++i) EXPECT_EQ(Send(c, o, "m" + std::to_string(i)).message_id, i);
    // Acks in window-1 order: each deletes the mailbox's newest message.
    EXPECT_TRUE(Ack(c, o, 3).ok());
    EXPECT_TRUE(Ack(c, o, 1).ok());
    crashed = CrashCopy(dir, path, "crashed.db");
  }
  ExpectCountersMatchRows(crashed, o, {{2, "m2"}});
  auto restarted = OpenCached(crashed);
  ASSERT_NE(restarted, nullptr);
  Committer c(*restarted);
  EXPECT_TRUE(Ack(c, o, 2).ok());
  // Every id ever handed out (1..3) stays used: the next one is 4.
  EXPECT_EQ(Send(c, o, "m4").message_id, 4u);
}

TEST(SqliteLazyCountersTest, CountersLeftBehindByACrashAreRecomputedOnOpen) {
  TempDir dir;
  const std::string path = dir.file("relay.db");
  Owner o = Owner::Random();
  auto store = OpenCached(path);
  ASSERT_NE(store, nullptr);
  MailboxRecord r;
  r.id = o.id;
  r.owner_key = o.key.public_key;
  r.cap_hash = o.cap_hash();
  ASSERT_TRUE(store->InsertMailbox(r).ok());
  std::string crashed;
  {
    Committer c(*store);
    for (int i = 1; i <= 5; ++i) Send(c, o, std::string(static_cast<size_t>(i) * 10, 'x'));
    EXPECT_TRUE(Ack(c, o, 2).ok());  // not the newest: nothing written for it
    crashed = CrashCopy(dir, path, "crashed.db");
  }
  ExpectCountersMatchRows(crashed, o,
                          {{1, std::string(10, 'x')},
                           {3, std::string(30, 'x')},
                           {4, std::string(40, 'x')},
                           {5, std::string(50, 'x')}});
  auto restarted = OpenCached(crashed);
  ASSERT_NE(restarted, nullptr);
  Committer c(*restarted);
  EXPECT_EQ(Send(c, o, "next").message_id, 6u);
}

TEST(SqliteLazyCountersTest, ACleanCloseWritesEveryCounter) {
  TempDir dir;
  const std::string path = dir.file("relay.db");
  Owner o = Owner::Random();
  {
    auto store = OpenCached(path);
    ASSERT_NE(store, nullptr);
    MailboxRecord r;
    r.id = o.id;
    r.owner_key = o.key.public_key;
    r.cap_hash = o.cap_hash();
    ASSERT_TRUE(store->InsertMailbox(r).ok());
    Committer c(*store);
    Send(c, o, "abc");
    Send(c, o, "de");
  }  // the store closes cleanly
  // Read the row as stored, without the repair on open.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT next_message_id, message_count, byte_count FROM mailboxes", -1,
                         &st, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(st, 0), 3);
  EXPECT_EQ(sqlite3_column_int64(st, 1), 2);
  EXPECT_EQ(sqlite3_column_int64(st, 2), 5);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

}  // namespace
}  // namespace attune::relay
