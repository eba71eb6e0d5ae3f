// The MailboxStore conformance suite, run unchanged against every backend
// (SQLite, SQLite with the writer's mailbox cache, PostgreSQL): persistence,
// FIFO, acks, expiry, reopen, schema versions, concurrent connections and
// group commit under concurrent submitters. Backend-only tests at the end.
//
// PostgreSQL runs on the CTest fixture's throwaway server (PgServer); the
// PostgreSQL cases skip, saying why, only when the server binaries are absent.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "attune/relay/core/mailbox_logic.h"
#include "attune/relay/store/group_commit.h"
#include "attune/relay/store/pg_listener.h"
#include "attune/relay/store/pg_store.h"
#include "attune/testing/pg_server.h"
#include "relay_test_util.h"

namespace attune::relay {
namespace {

using testing::MakeBlob;
using testing::NewMailbox;
using testing::Owner;
using testing::TempDir;

// One database of one backend; Open() may be called repeatedly (reopen,
// or several connections at once, as several relay nodes would).
class Backend {
 public:
  virtual ~Backend() = default;
  // Empty when usable, else why not (the test skips).
  virtual std::string Unavailable() { return ""; }
  virtual Result<std::unique_ptr<MailboxStore>> TryOpen() = 0;
  std::unique_ptr<MailboxStore> Open() {
    auto store = TryOpen();
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
    return store.ok() ? std::move(store).value() : nullptr;
  }
  // Writes schema version `v` into the database, as a future relay would.
  virtual void ForgeSchemaVersion(int v) = 0;
  // Whether EndOperation() undoes a failed operation alone.
  virtual bool per_operation_rollback() const = 0;
};

class SqliteBackend final : public Backend {
 public:
  explicit SqliteBackend(bool cache) : cache_(cache) {}
  Result<std::unique_ptr<MailboxStore>> TryOpen() override {
    SqliteMailboxStore::Options options;
    options.cache_mailboxes = cache_;
    ATTUNE_ASSIGN_OR_RETURN(auto store, SqliteMailboxStore::Open(dir_.file("relay.db"), options));
    return std::unique_ptr<MailboxStore>(std::move(store));
  }
  void ForgeSchemaVersion(int v) override {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.file("relay.db").c_str(), &db), SQLITE_OK);
    const std::string sql = "PRAGMA user_version = " + std::to_string(v);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  bool per_operation_rollback() const override { return true; }

 private:
  TempDir dir_{};
  bool cache_ = false;
};

class PostgresBackend final : public Backend {
 public:
  PostgresBackend() : tagger_(crypto::SecretArray<32>()) {
    server_ = attune::testing::PgServer::Shared();
    if (server_ == nullptr) return;
    auto db = server_->CreateDatabase();
    EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().ToString());
    if (!db.ok()) return;
    conninfo_ = server_->Conninfo(*db);
    auto migrated = MigratePostgres(conninfo_);
    EXPECT_TRUE(migrated.ok()) << (migrated.ok() ? "" : migrated.error().ToString());
  }
  std::string Unavailable() override {
    return server_ == nullptr ? attune::testing::PgServer::SkipReason() : "";
  }
  Result<std::unique_ptr<MailboxStore>> TryOpen() override {
    ATTUNE_ASSIGN_OR_RETURN(auto store, PgMailboxStore::Open(conninfo_, tagger_));
    return std::unique_ptr<MailboxStore>(std::move(store));
  }
  void ForgeSchemaVersion(int v) override {
    Exec("UPDATE attune_schema SET version = " + std::to_string(v));
  }
  // Runs SQL that returns no rows on this backend's database.
  void Exec(const std::string& sql) {
    PGconn* conn = PQconnectdb(conninfo_.c_str());
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK);
    PGresult* r = PQexec(conn, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(conn);
    PQclear(r);
    PQfinish(conn);
  }
  bool per_operation_rollback() const override { return true; }
  const std::string& conninfo() const { return conninfo_; }

 private:
  attune::testing::PgServer* server_ = nullptr;
  MailboxTagger tagger_;  // constructed with a zero key
  std::string conninfo_{};
};

enum class Kind { kSqlite, kSqliteCached, kPostgres };

std::unique_ptr<Backend> MakeBackend(Kind kind) {
  switch (kind) {
    case Kind::kSqlite:
      return std::make_unique<SqliteBackend>(false);
    case Kind::kSqliteCached:
      return std::make_unique<SqliteBackend>(true);
    case Kind::kPostgres:
      return std::make_unique<PostgresBackend>();
  }
  return nullptr;
}

class StoreTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    backend_ = MakeBackend(GetParam());
    if (std::string why = backend_->Unavailable(); !why.empty()) GTEST_SKIP() << why;
    ASSERT_FALSE(::testing::Test::HasFailure());
  }
  std::unique_ptr<MailboxStore> Open() {
    auto store = backend_->Open();
    EXPECT_NE(store, nullptr);
    return store;
  }

  std::unique_ptr<Backend> backend_{};
};

TEST_P(StoreTest, StoresAndFetchesInFifoOrder) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_P(StoreTest, AppendRejectsAnIdOtherThanTheNext) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_P(StoreTest, AckDeletesAndKeepsIdsIncreasing) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

// A group commit's send and ack path: a locked read, appends and acks whose
// answers a store may defer (PostgreSQL pipelines them), reads in the same
// transaction that see them, and a bad id refused at once.
TEST_P(StoreTest, SendsAndAcksInOneTransactionAreSeenAndCommitted) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Owner o = Owner::Random();
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
  ASSERT_TRUE(store->Begin().ok());
  for (uint64_t id = 1; id <= 3; ++id) {
    auto rec = store->GetMailbox(o.id);
    ASSERT_TRUE(rec.ok() && rec->has_value());
    ASSERT_EQ((*rec)->next_message_id, id);
    ASSERT_EQ((*rec)->message_count, 0u);  // each one but the last is acked at once
    ASSERT_TRUE(store->AppendMessage(o.id, id, MakeBlob("m" + std::to_string(id)), 1000).ok());
    if (id < 3) {
      ASSERT_TRUE(store->ForgetMessage(o.id, id).ok());
    }
  }
  auto inside = store->FetchMessages(o.id, 0, 0, 10, 1 << 20);
  ASSERT_TRUE(inside.ok()) << inside.error().ToString();
  ASSERT_EQ(inside->size(), 1u);
  EXPECT_EQ((*inside)[0].message_id, 3u);
  // Forgetting an unknown message is no failure (acks are retried).
  ASSERT_TRUE(store->ForgetMessage(o.id, 42).ok());
  EXPECT_FALSE(store->AppendMessage(o.id, 9, MakeBlob("bad id"), 1000).ok());
  // The refused append fails the transaction (no operation scope here).
  EXPECT_FALSE(store->Commit().ok());
  EXPECT_TRUE(store->FetchMessages(o.id, 0, 0, 10, 1 << 20).value().empty());

  ASSERT_TRUE(store->Begin().ok());
  auto again = store->GetMailbox(o.id);
  ASSERT_TRUE(again.ok() && again->has_value());
  // A store that skips the ids of a rolled-back commit starts above them.
  const uint64_t next = (*again)->next_message_id;
  EXPECT_EQ(next == 1, !store->SkipsIdsOfFailedCommits());
  ASSERT_TRUE(store->AppendMessage(o.id, next, MakeBlob("kept"), 1000).ok());
  ASSERT_TRUE(store->AppendMessage(o.id, next + 1, MakeBlob("acked"), 1000).ok());
  ASSERT_TRUE(store->ForgetMessage(o.id, next + 1).ok());
  ASSERT_TRUE(store->Commit().ok());
  auto after = store->FetchMessages(o.id, 0, 0, 10, 1 << 20);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(*(*after)[0].blob, "kept");
  EXPECT_EQ(store->GetMailbox(o.id).value()->next_message_id, next + 2);
}

// Acks and sends of several mailboxes interleaved in one transaction, as a
// group commit runs them: a store may hold the writes back and send them as
// set-based statements (PostgreSQL), but every read in the transaction sees
// the usage as if each had run at once, and the commit keeps all of them.
TEST_P(StoreTest, InterleavedAcksAndSendsOfManyMailboxesKeepUsageAndOrder) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Owner a = Owner::Random();
  Owner b = Owner::Random();
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(a)).ok());
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(b)).ok());
  ASSERT_TRUE(store->AppendMessage(a.id, 1, MakeBlob("aa"), 1000).ok());
  ASSERT_TRUE(store->AppendMessage(a.id, 2, MakeBlob("bbb"), 1000).ok());
  ASSERT_TRUE(store->AppendMessage(b.id, 1, MakeBlob("c"), 1000).ok());
  auto usage = [&](const Owner& o) {
    auto rec = store->GetMailbox(o.id);
    EXPECT_TRUE(rec.ok() && rec->has_value());
    if (!rec.ok() || !rec->has_value()) return std::array<uint64_t, 3>{};
    return std::array<uint64_t, 3>{(*rec)->next_message_id, (*rec)->message_count,
                                   (*rec)->byte_count};
  };
  using U = std::array<uint64_t, 3>;

  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->ForgetMessage(a.id, 1).ok());
  ASSERT_TRUE(store->ForgetMessage(a.id, 77).ok());  // no such message: no failure
  EXPECT_EQ(usage(b), (U{2, 1, 1}));                 // another mailbox, while a's acks wait
  ASSERT_TRUE(store->AppendMessage(b.id, 2, MakeBlob("dd"), 1000).ok());
  EXPECT_EQ(usage(a), (U{3, 1, 3}));  // a's ack of 1 counts, 77 changes nothing
  ASSERT_TRUE(store->AppendMessage(a.id, 3, MakeBlob("eeee"), 1000).ok());
  EXPECT_EQ(usage(b), (U{3, 2, 3}));
  EXPECT_EQ(usage(a), (U{4, 2, 7}));
  ASSERT_TRUE(store->Commit().ok());

  EXPECT_EQ(usage(a), (U{4, 2, 7}));
  EXPECT_EQ(usage(b), (U{3, 2, 3}));
  auto ids = [&](const Owner& o) {
    std::vector<uint64_t> out;
    auto messages = store->FetchMessages(o.id, 0, 0, 10, 1 << 20);
    EXPECT_TRUE(messages.ok());
    if (!messages.ok()) return out;
    for (const StoredMessage& m : *messages) out.push_back(m.message_id);
    return out;
  };
  EXPECT_EQ(ids(a), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(ids(b), (std::vector<uint64_t>{1, 2}));

  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->ForgetMessage(a.id, 2).ok());
  ASSERT_TRUE(store->ForgetMessage(b.id, 1).ok());
  ASSERT_TRUE(store->ForgetMessage(a.id, 3).ok());
  EXPECT_EQ(usage(a), (U{4, 0, 0}));
  ASSERT_TRUE(store->Commit().ok());
  EXPECT_EQ(usage(a), (U{4, 0, 0}));
  EXPECT_EQ(usage(b), (U{3, 1, 2}));
  EXPECT_TRUE(ids(a).empty());
  EXPECT_EQ(ids(b), (std::vector<uint64_t>{2}));
}

TEST_P(StoreTest, ExpiredMessagesAreHiddenThenPurged) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

// Counters after a poisoned batch, a purge inside a transaction and a
// rollback (for the SQLite writer's cache: they reach the file at commit and
// a rollback forgets cached changes).
TEST_P(StoreTest, CountersAreRightAfterRollbacksAndPurge) {
  Owner o = Owner::Random();
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
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
  auto plain = Open();
  ASSERT_NE(plain, nullptr);
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

TEST_P(StoreTest, CommittedSurvivesReopenRolledBackDoesNot) {
  Owner o = Owner::Random();
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Begin().ok());
    ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
    ASSERT_TRUE(store->AppendMessage(o.id, 1, MakeBlob("kept"), 1000).ok());
    ASSERT_TRUE(store->Commit().ok());
    ASSERT_TRUE(store->Begin().ok());
    ASSERT_TRUE(store->AppendMessage(o.id, 2, MakeBlob("dropped"), 1000).ok());
    store->Rollback();
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto msgs = store->FetchMessages(o.id, 0, 0, 10, 1 << 20);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 1u);
  EXPECT_EQ(*(*msgs)[0].blob, "kept");
}

TEST_P(StoreTest, RefusesAnotherSchemaVersion) {
  { ASSERT_NE(Open(), nullptr); }
  backend_->ForgeSchemaVersion(7);
  auto reopened = backend_->TryOpen();
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code, ErrorCode::kUnsupportedVersion);
}

TEST_P(StoreTest, DuplicateMailboxIsAnAnswerNotAFailure) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Owner o = Owner::Random();
  Owner other = Owner::Random();
  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
  Status again = store->InsertMailbox(NewMailbox(o));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  // The transaction stays usable.
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(other)).ok());
  ASSERT_TRUE(store->Commit().ok());
  EXPECT_TRUE(store->GetMailbox(other.id).value().has_value());
}

// Two connections to one database, as two relay nodes have: each sees the
// other's commits, and a quota checked inside a transaction holds across
// them (the second sender waits for the first one's commit and then sees
// the mailbox full).
TEST_P(StoreTest, QuotaHoldsAcrossConnections) {
  auto a = Open();
  auto b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Owner o = Owner::Random();
  ASSERT_TRUE(a->InsertMailbox(NewMailbox(o)).ok());
  MailboxLimits limits;
  limits.max_messages_per_mailbox = 1;
  SendRequest req{o.id, o.cap_hash(), MakeBlob("only one fits")};
  ASSERT_TRUE(a->Begin().ok());
  ASSERT_TRUE(SendMessage(*a, req, limits, 1).ok());
  Outcome second;
  Status second_commit;
  std::thread other([&] {
    if (Status st = b->Begin(); !st.ok()) {
      second.code = Code::kUnavailable;
      return;
    }
    second = SendMessage(*b, req, limits, 1);
    second_commit = b->Commit();
  });
  ASSERT_TRUE(a->Commit().ok());
  other.join();
  EXPECT_FALSE(second.ok() && second_commit.ok());
  auto msgs = b->FetchMessages(o.id, 0, 0, 10, 1 << 20);
  ASSERT_TRUE(msgs.ok());
  EXPECT_EQ(msgs->size(), 1u);
  EXPECT_EQ(a->GetMailbox(o.id).value()->message_count, 1u);
}

// With EndOperation(), a failed operation of a batch is undone alone.
TEST_P(StoreTest, EndOperationUndoesOnlyTheFailedOperation) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Owner o = Owner::Random();
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->BeginOperation().ok());
  ASSERT_TRUE(store->AppendMessage(o.id, 1, MakeBlob("first"), 1000).ok());
  EXPECT_TRUE(store->EndOperation().ok());
  ASSERT_TRUE(store->BeginOperation().ok());
  EXPECT_FALSE(store->AppendMessage(o.id, 7, MakeBlob("bad id"), 1000).ok());
  EXPECT_FALSE(store->EndOperation().ok());
  ASSERT_TRUE(store->BeginOperation().ok());
  const bool kept_going = store->AppendMessage(o.id, 2, MakeBlob("second"), 1000).ok();
  EXPECT_TRUE(store->EndOperation().ok());
  const bool committed = store->Commit().ok();
  auto msgs = store->FetchMessages(o.id, 0, 0, 10, 1 << 20);
  ASSERT_TRUE(msgs.ok());
  if (backend_->per_operation_rollback()) {
    EXPECT_TRUE(kept_going);
    EXPECT_TRUE(committed);
    ASSERT_EQ(msgs->size(), 2u);
    EXPECT_EQ(*(*msgs)[1].blob, "second");
  } else {
    // Without savepoints the failure fails the whole batch.
    EXPECT_FALSE(committed);
    EXPECT_TRUE(msgs->empty());
  }
}

// Many threads send concurrently through the committer: every send is
// acknowledged with a distinct, gap-free id, the sends share commits (fewer
// batches than operations), and everything is there after reopening.
TEST_P(StoreTest, ConcurrentSendsAreBatchedAndAllDurable) {
  Owner o = Owner::Random();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  MailboxLimits limits;
  GroupCommitter::Stats stats;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
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
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto msgs = store->FetchMessages(o.id, 0, 0, 10000, 1 << 30);
  ASSERT_TRUE(msgs.ok());
  EXPECT_EQ(msgs->size(), static_cast<size_t>(kThreads * kPerThread));
  auto rec = store->GetMailbox(o.id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->next_message_id, static_cast<uint64_t>(kThreads * kPerThread + 1));
  EXPECT_EQ((*rec)->message_count, static_cast<uint64_t>(kThreads * kPerThread));
}

TEST_P(StoreTest, SubmitAfterStopIsRefused) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  GroupCommitter committer(*store);
  committer.Start();
  committer.Stop();
  EXPECT_FALSE(committer.Submit([](MailboxStore&) { return GroupCommitter::Completion(); }));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Kind::kSqlite, Kind::kSqliteCached, Kind::kPostgres),
                         [](const ::testing::TestParamInfo<Kind>& info) {
                           switch (info.param) {
                             case Kind::kSqlite:
                               return "Sqlite";
                             case Kind::kSqliteCached:
                               return "SqliteCached";
                             case Kind::kPostgres:
                               return "Postgres";
                           }
                           return "Unknown";
                         });

// --- backend-only ------------------------------------------------------------

TEST(SqliteStoreTest, NotADatabaseIsAnError) {
  TempDir dir;
  FILE* f = std::fopen(dir.file("relay.db").c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::string junk(4096, 'x');
  std::fwrite(junk.data(), 1, junk.size(), f);
  std::fclose(f);
  EXPECT_FALSE(SqliteMailboxStore::Open(dir.file("relay.db")).ok());
}

// `db migrate` never downgrades a database written by a newer relay.
TEST(PostgresStoreTest, MigrateRefusesANewerSchema) {
  PostgresBackend backend;
  if (std::string why = backend.Unavailable(); !why.empty()) GTEST_SKIP() << why;
  backend.ForgeSchemaVersion(PostgresSchemaVersion() + 1);
  auto migrated = MigratePostgres(backend.conninfo());
  ASSERT_FALSE(migrated.ok());
  EXPECT_EQ(migrated.error().code, ErrorCode::kUnsupportedVersion);
  // Migrating a current database is a no-op that reports its version.
  PostgresBackend current;
  auto again = MigratePostgres(current.conninfo());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, PostgresSchemaVersion());
}

// Schema 1 counted a mailbox's messages for each send; schema 2 keeps
// counters, which `db migrate` fills from the messages already stored.
TEST(PostgresStoreTest, MigrationToCountersKeepsTheUsageOfStoredMessages) {
  PostgresBackend backend;
  if (std::string why = backend.Unavailable(); !why.empty()) GTEST_SKIP() << why;
  // A schema-1 database holding one mailbox with two messages (5 bytes).
  backend.Exec(
      "ALTER TABLE mailboxes DROP COLUMN stored_count, DROP COLUMN stored_bytes; "
      "DROP TABLE mailbox_freed; UPDATE attune_schema SET version = 1; "
      "INSERT INTO mailboxes VALUES (decode(repeat('01', 32), 'hex'), "
      "decode(repeat('02', 32), 'hex'), decode(repeat('03', 32), 'hex'), 3); "
      "INSERT INTO messages VALUES (decode(repeat('01', 32), 'hex'), 1, 9999, decode('0a0b', "
      "'hex')), "
      "(decode(repeat('01', 32), 'hex'), 2, 9999, decode('0c0d0e', 'hex'))");
  auto before = MigratePostgres(backend.conninfo());
  ASSERT_TRUE(before.ok()) << before.error().ToString();
  EXPECT_EQ(*before, 1);
  auto store = backend.TryOpen();
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  MailboxId id{};
  id.fill(0x01);
  auto rec = (*store)->GetMailbox(id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->message_count, 2u);
  EXPECT_EQ((*rec)->byte_count, 5u);
  EXPECT_EQ((*rec)->next_message_id, 3u);
}

// Every payload on the notification channel is read back as what it is: a
// tag that begins with any hex digit is "new messages" (an 'e' once doubled
// as the eviction prefix, so one mailbox in 16 lost its cross-node pushes).
TEST(PostgresStoreTest, ListenerReadsTagsBeginningWithAnyHexDigitAsNewMessages) {
  PostgresBackend backend;
  if (std::string why = backend.Unavailable(); !why.empty()) GTEST_SKIP() << why;
  const MailboxTagger tagger{crypto::SecretArray<32>()};  // the backend's (zero) key
  std::mutex mu;
  std::condition_variable cv;
  bool listening = false;
  std::vector<MailboxTag> changed;
  std::vector<MailboxTag> evicted;
  PgNotificationListener listener(backend.conninfo(), tagger, [] { return 0; });
  MailboxNotifier::Events events;
  events.changed = [&](const MailboxTag& tag) {
    std::lock_guard lock(mu);
    changed.push_back(tag);
    cv.notify_all();
  };
  events.evicted = [&](const MailboxTag& tag) {
    std::lock_guard lock(mu);
    evicted.push_back(tag);
    cv.notify_all();
  };
  events.missed = [&] {  // called once the first LISTEN took effect
    std::lock_guard lock(mu);
    listening = true;
    cv.notify_all();
  };
  listener.Start(std::move(events));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return listening; }));
  }
  // One mailbox whose tag's hex begins with 'e', one whose does not.
  std::vector<Owner> owners;
  bool have_e = false;
  bool have_other = false;
  while (!have_e || !have_other) {
    Owner o = Owner::Random();
    const bool e = ToHex(tagger.Tag(o.id))[0] == 'e';
    if (e ? have_e : have_other) continue;
    (e ? have_e : have_other) = true;
    owners.push_back(std::move(o));
  }
  auto store = backend.TryOpen();
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  for (const Owner& o : owners) ASSERT_TRUE((*store)->InsertMailbox(NewMailbox(o)).ok());
  ASSERT_TRUE((*store)->Begin().ok());
  for (const Owner& o : owners) {
    auto record = (*store)->GetMailbox(o.id);
    ASSERT_TRUE(record.ok() && record->has_value());
    ASSERT_TRUE(
        (*store)->AppendMessage(o.id, (*record)->next_message_id, MakeBlob("m"), 1000).ok());
  }
  ASSERT_TRUE((*store)->Commit().ok());
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return changed.size() >= 2; }))
      << changed.size() << " of 2 notifications read as new messages, " << evicted.size()
      << " as evictions";
  for (const Owner& o : owners) {
    EXPECT_NE(std::find(changed.begin(), changed.end(), tagger.Tag(o.id)), changed.end());
  }
  EXPECT_TRUE(evicted.empty());
  lock.unlock();
  listener.Stop();
}

}  // namespace
}  // namespace attune::relay
