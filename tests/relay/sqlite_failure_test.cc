// Storage errors fail safe (issue 12): a full disk (PRAGMA max_page_count)
// and injected I/O errors (FaultVfs) in the middle of group-commit batches.
// Every request answered OK is durable (checked after reopening), every
// failed one changed nothing, and the store works again once the fault is
// gone. Also: counter repair, 0600 files, and the WAL checkpoint policy.
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "attune/relay/core/mailbox_logic.h"
#include "attune/relay/store/group_commit.h"
#include "fault_vfs.h"
#include "relay_test_util.h"

namespace attune::relay {
namespace {

using testing::FaultVfs;
using testing::MakeBlob;
using testing::NewMailbox;
using testing::Owner;
using testing::TempDir;

constexpr uint64_t kNow = 1000;

struct Answer {
  Outcome outcome{};
  Status status = MakeError(ErrorCode::kInternal, "never completed");
  bool ok() const { return status.ok() && outcome.ok(); }
};

// Queues operations, then runs them all as ONE batch of a fresh committer.
class Batch {
 public:
  explicit Batch(MailboxStore& store) : store_(store) {}

  // `answers_` is sized up front; references stay valid.
  Answer& Add(std::function<Outcome(MailboxStore&)> work) {
    answers_.push_back(std::make_unique<Answer>());
    Answer* a = answers_.back().get();
    ops_.push_back([a, work = std::move(work)](MailboxStore& s) -> GroupCommitter::Completion {
      Outcome o = work(s);
      return [a, o](const Status& st) {
        a->outcome = o;
        a->status = st;
      };
    });
    return *a;
  }
  Answer& Send(const Owner& o, const std::string& blob) {
    SendRequest req{o.id, o.cap_hash(), MakeBlob(blob)};
    return Add([req](MailboxStore& s) { return SendMessage(s, req, MailboxLimits{}, kNow); });
  }
  void Run() {
    GroupCommitter committer(store_);
    for (auto& op : ops_) ASSERT_TRUE(committer.Submit(std::move(op)));
    ops_.clear();
    committer.Start();
    committer.Stop();
    EXPECT_EQ(committer.stats().batches, 1u) << "expected one batch";
  }

 private:
  MailboxStore& store_;
  std::vector<GroupCommitter::Operation> ops_{};
  std::vector<std::unique_ptr<Answer>> answers_{};
};

std::unique_ptr<SqliteMailboxStore> Open(const std::string& path, bool fault_vfs = false) {
  SqliteMailboxStore::Options options;
  options.cache_mailboxes = true;  // as the relay's committer
  if (fault_vfs) {
    FaultVfs::Register();
    options.vfs = FaultVfs::kName;
  }
  auto store = SqliteMailboxStore::Open(path, options);
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
  return store.ok() ? std::move(store).value() : nullptr;
}

int64_t PageCount(const std::string& path) {
  sqlite3* db = nullptr;
  int64_t pages = -1;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      pages = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return pages;
}

void ExecRaw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << (err != nullptr ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

// Reopens the database and checks that mailbox `o` holds exactly
// `expected` (id -> blob) and that its counters agree with those rows.
void ExpectStored(const std::string& path, const Owner& o,
                  const std::map<uint64_t, std::string>& expected) {
  auto store = testing::OpenStoreOrDie(path);
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
  if (!got.empty()) {
    EXPECT_GT((*rec)->next_message_id, got.rbegin()->first);
  }
}

// Sends from a batch: the OK ones (id -> blob) per mailbox.
using Sent = std::map<uint64_t, std::string>;
void Collect(const Answer& a, const std::string& blob, Sent& sent) {
  if (a.ok()) sent[a.outcome.message_id] = blob;
}

TEST(SqliteFailureTest, FullDiskMidBatchFailsOnlyTheRequestsThatDoNotFit) {
  TempDir dir;
  const std::string path = dir.file("relay.db");
  std::vector<Owner> owners;
  for (int i = 0; i < 3; ++i) owners.push_back(Owner::Random());
  std::vector<Sent> sent(owners.size());
  {
    auto store = Open(path);
    ASSERT_NE(store, nullptr);
    for (const Owner& o : owners) ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
    // Room for a little more than now: small blobs still fit into free
    // space of existing pages, large ones need new pages and hit SQLITE_FULL.
    ASSERT_TRUE(store->SetMaxPageCount(static_cast<uint64_t>(PageCount(path)) + 8).ok());
    struct Pending {
      size_t owner = 0;
      std::string blob{};
      Answer* answer = nullptr;
    };
    std::vector<Pending> pending;
    Batch batch(*store);
    for (int i = 0; i < 24; ++i) {
      const size_t owner = static_cast<size_t>(i) % owners.size();
      std::string blob =
          (i % 2 == 0 ? std::string(40, 'a') : std::string(6000, 'L')) + std::to_string(i);
      Answer& a = batch.Send(owners[owner], blob);
      pending.push_back(Pending{owner, blob, &a});
    }
    batch.Run();
    size_t ok = 0;
    size_t failed = 0;
    for (const Pending& p : pending) {
      p.answer->ok() ? ok++ : failed++;
      // A failed request is answered UNAVAILABLE: its own write failed, or
      // SQLite rolled back the transaction it ran in (it does on SQLITE_FULL
      // for a statement without a statement journal).
      if (!p.answer->ok() && p.answer->status.ok()) {
        EXPECT_EQ(p.answer->outcome.code, Code::kUnavailable);
      }
      Collect(*p.answer, p.blob, sent[p.owner]);
    }
    // The disk filled in the middle of the batch: some fit, some did not.
    EXPECT_GT(ok, 0u);
    EXPECT_GT(failed, 0u);
  }
  for (size_t i = 0; i < owners.size(); ++i) ExpectStored(path, owners[i], sent[i]);

  // Space returns: every mailbox takes large messages again, ids go on.
  {
    auto store = Open(path);
    ASSERT_NE(store, nullptr);
    Batch batch(*store);
    std::vector<Answer*> answers;
    for (const Owner& o : owners) answers.push_back(&batch.Send(o, std::string(6000, 'R')));
    batch.Run();
    for (size_t i = 0; i < owners.size(); ++i) {
      ASSERT_TRUE(answers[i]->ok());
      if (!sent[i].empty()) {
        EXPECT_GT(answers[i]->outcome.message_id, sent[i].rbegin()->first);
      }
      Collect(*answers[i], std::string(6000, 'R'), sent[i]);
    }
  }
  for (size_t i = 0; i < owners.size(); ++i) ExpectStored(path, owners[i], sent[i]);
}

// A read error makes SQLite roll back the whole open transaction: the
// requests run in it so far lost their writes and must fail; the rest of the
// batch runs in a new transaction, never one by one in autocommit mode.
TEST(SqliteFailureTest, TransactionLostMidBatchFailsItsRequestsAndRunsTheRestInANewOne) {
  TempDir dir;
  const std::string path = dir.file("relay.db");
  Owner a = Owner::Random();
  Owner b = Owner::Random();
  Owner big = Owner::Random();
  const ByteArray<kTokenSize> credential = crypto::SystemRandom().Array<kTokenSize>();
  int64_t credential_id = 0;
  {
    auto store = Open(path, /*fault_vfs=*/true);
    ASSERT_NE(store, nullptr);
    for (const Owner* o : {&a, &b, &big}) ASSERT_TRUE(store->InsertMailbox(NewMailbox(*o)).ok());
    credential_id = store->InsertCredential(CredentialHash(credential), 5, kNow + 1000).value();
    // More data than SQLite's page cache holds, so reading it goes to disk.
    ASSERT_TRUE(store->Begin().ok());
    for (uint64_t id = 1; id <= 80; ++id) {
      ASSERT_TRUE(store->AppendMessage(big.id, id, MakeBlob(std::string(50000, 'B')), 99999).ok());
    }
    ASSERT_TRUE(store->Commit().ok());
  }
  // Another connection's write empties the store's page cache at its next
  // transaction, so the faulty read below really reaches the file.
  ExecRaw(path, "PRAGMA user_version = 1");

  Sent sent_a;
  Sent sent_b;
  std::optional<ByteArray<kTokenSize>> issued;
  {
    auto store = Open(path, /*fault_vfs=*/true);
    ASSERT_NE(store, nullptr);
    Batch batch(*store);
    IssueTicketRequest issue{CredentialHash(credential)};
    auto issue_op = [issue](MailboxStore& s) {
      return IssueTicket(s, issue, MailboxLimits{}, kNow, crypto::SystemRandom());
    };
    Answer& a1 = batch.Send(a, "a1");
    Answer& t1 = batch.Add(issue_op);
    Answer& b1 = batch.Send(b, "b1");
    Answer& fault = batch.Add([&big](MailboxStore& s) {
      FaultVfs::fail_reads = true;
      auto msgs = s.FetchMessages(big.id, 0, 0, 100, size_t{1} << 30);
      FaultVfs::fail_reads = false;
      return msgs.ok() ? Outcome{} : Outcome{Code::kUnavailable, "read failed", 0, std::nullopt};
    });
    Answer& a2 = batch.Send(a, "a2");
    Answer& t2 = batch.Add(issue_op);
    Answer& b2 = batch.Send(b, "b2");
    batch.Run();
    FaultVfs::Clear();
    EXPECT_GT(FaultVfs::failures.load(), 0);
    EXPECT_FALSE(fault.ok());
    // Lost with the transaction: reported failed, not OK.
    EXPECT_FALSE(a1.ok());
    EXPECT_FALSE(t1.ok());
    EXPECT_FALSE(b1.ok());
    // The rest of the batch committed in a new transaction.
    ASSERT_TRUE(a2.ok());
    ASSERT_TRUE(t2.ok());
    ASSERT_TRUE(b2.ok());
    Collect(a2, "a2", sent_a);
    Collect(b2, "b2", sent_b);
    issued = t2.outcome.ticket;
    // Id 1 went with the lost transaction and is skipped (PROTOCOL.md
    // section 2.3: ids of a rolled-back commit are never given again).
    EXPECT_EQ(a2.outcome.message_id, 2u);
  }
  ExpectStored(path, a, sent_a);
  ExpectStored(path, b, sent_b);
  auto store = testing::OpenStoreOrDie(path);
  // Only the ticket that was returned spent a use.
  auto cred = store->FindCredential(CredentialHash(credential));
  ASSERT_TRUE(cred.ok() && cred->has_value());
  EXPECT_EQ((*cred)->id, credential_id);
  EXPECT_EQ((*cred)->uses_left, 4u);
  ASSERT_TRUE(issued.has_value());
  EXPECT_TRUE(store->FindTicket(TicketHash(*issued)).value().has_value());
}

// Write and fsync errors at COMMIT fail the whole batch: nothing of it is
// kept, no credential use is spent, and the next batch works.
void CommitFaultFailsTheBatch(std::atomic<bool>& fault) {
  TempDir dir;
  const std::string path = dir.file("relay.db");
  Owner a = Owner::Random();
  const ByteArray<kTokenSize> credential = crypto::SystemRandom().Array<kTokenSize>();
  Sent sent;
  {
    auto store = Open(path, /*fault_vfs=*/true);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->InsertMailbox(NewMailbox(a)).ok());
    ASSERT_TRUE(store->InsertCredential(CredentialHash(credential), 3, kNow + 1000).ok());
    IssueTicketRequest issue{CredentialHash(credential)};
    auto issue_op = [issue](MailboxStore& s) {
      return IssueTicket(s, issue, MailboxLimits{}, kNow, crypto::SystemRandom());
    };
    {
      Batch batch(*store);
      Answer& s1 = batch.Send(a, "one");
      Answer& t1 = batch.Add(issue_op);
      // The last operation arms the fault: the commit's WAL write or fsync fails.
      Answer& s2 = batch.Add([&](MailboxStore& s) {
        fault = true;
        return SendMessage(s, SendRequest{a.id, a.cap_hash(), MakeBlob("two")}, MailboxLimits{},
                           kNow);
      });
      batch.Run();
      FaultVfs::Clear();
      EXPECT_FALSE(s1.ok());
      EXPECT_FALSE(t1.ok());
      EXPECT_FALSE(s2.ok());
      // The live store shows nothing of the failed batch either.
      auto msgs = store->FetchMessages(a.id, 0, 0, 10, 1 << 20);
      ASSERT_TRUE(msgs.ok());
      EXPECT_TRUE(msgs->empty());
      EXPECT_EQ(store->FindCredential(CredentialHash(credential)).value()->uses_left, 3u);
    }
    // Recovery: the next batch commits.
    Batch batch(*store);
    Answer& s3 = batch.Send(a, "three");
    batch.Run();
    ASSERT_TRUE(s3.ok());
    // Ids 1 and 2 were handed out in the failed commit (and may have been
    // delivered while it was in flight): they are never given again.
    EXPECT_EQ(s3.outcome.message_id, 3u);
    Collect(s3, "three", sent);
  }
  ExpectStored(path, a, sent);
  auto store = testing::OpenStoreOrDie(path);
  EXPECT_EQ(store->FindCredential(CredentialHash(credential)).value()->uses_left, 3u);
}

TEST(SqliteFailureTest, WriteErrorAtCommitFailsTheBatchAndChangesNothing) {
  CommitFaultFailsTheBatch(FaultVfs::fail_writes);
}

TEST(SqliteFailureTest, SyncErrorAtCommitFailsTheBatchAndChangesNothing) {
  CommitFaultFailsTheBatch(FaultVfs::fail_syncs);
}

// A database left inconsistent by an older relay (a message row stored
// without advancing next_message_id) is repaired when opened, and a clash
// found while running is repaired and the send retried.
TEST(SqliteFailureTest, CountersThatDisagreeWithTheRowsAreRecomputed) {
  TempDir dir;
  const std::string path = dir.file("relay.db");
  Owner a = Owner::Random();
  Owner b = Owner::Random();
  {
    auto store = Open(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->InsertMailbox(NewMailbox(a)).ok());
    ASSERT_TRUE(store->InsertMailbox(NewMailbox(b)).ok());
    // While the store runs (its cache says next id 1), a row appears.
    ExecRaw(path, "INSERT INTO messages VALUES(x'" + ToHex(b.id) + "', 1, 99999, x'6f6c64')");
    Batch batch(*store);
    Answer& sent = batch.Send(b, "new");
    batch.Run();
    ASSERT_TRUE(sent.ok());
    EXPECT_EQ(sent.outcome.message_id, 2u);
  }
  ExpectStored(path, b, {{1, "old"}, {2, "new"}});
  // The damage as an older relay left it on disk.
  ExecRaw(path, "INSERT INTO messages VALUES(x'" + ToHex(a.id) +
                    "', 1, 99999, x'6f6c64'); UPDATE mailboxes SET message_count = 0, "
                    "byte_count = 0, next_message_id = 1 WHERE id = x'" +
                    ToHex(a.id) + "'");
  {
    auto store = Open(path);
    ASSERT_NE(store, nullptr);
    Batch batch(*store);
    Answer& sent = batch.Send(a, "new");
    batch.Run();
    ASSERT_TRUE(sent.ok());
    EXPECT_EQ(sent.outcome.message_id, 2u);
  }
  ExpectStored(path, a, {{1, "old"}, {2, "new"}});
}

mode_t Mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

TEST(SqliteFileTest, DatabaseWalAndShmAreOwnerOnly) {
  TempDir dir;
  const std::string path = dir.file("relay.db");
  {
    auto store = Open(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->InsertMailbox(NewMailbox(Owner::Random())).ok());
    for (const char* suffix : {"", "-wal", "-shm"}) {
      ASSERT_TRUE(std::filesystem::exists(path + suffix)) << suffix;
      EXPECT_EQ(Mode(path + suffix), 0600u) << suffix;
    }
  }
  // Files an older relay left readable are tightened when opened.
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto store = Open(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Mode(path), 0600u);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool AnyFileContains(const std::string& path, const std::string& needle) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    if (ReadFile(path + suffix).find(needle) != std::string::npos) return true;
  }
  return false;
}

// After an ack, once the committer is idle, the blob's bytes are gone from
// relay.db, its WAL and its shared-memory file (secure_delete zeroes them in
// the pages; the checkpoint policy drops the WAL frames that still held them).
TEST(SqliteFileTest, AckedBlobLeavesTheDatabaseAndTheWal) {
  TempDir dir;
  const std::string path = dir.file("relay.db");
  Owner a = Owner::Random();
  std::string blob(3000, '\0');
  crypto::SystemRandom().Fill(
      MutableByteView(reinterpret_cast<uint8_t*>(blob.data()), blob.size()));
  const std::string needle = blob.substr(1000, 64);
  auto store = Open(path);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(a)).ok());
  Batch send(*store);
  Answer& sent = send.Send(a, blob);
  send.Run();
  ASSERT_TRUE(sent.ok());
  EXPECT_TRUE(AnyFileContains(path, needle));  // the scan does find stored bytes

  Batch ack(*store);
  AckRequest req{a.id, sent.outcome.message_id};
  Answer& acked = ack.Add([req](MailboxStore& s) { return AckMessage(s, req); });
  ack.Run();  // the committer is idle afterwards: the policy checkpoints
  ASSERT_TRUE(acked.ok());
  EXPECT_FALSE(AnyFileContains(path, needle));
}

// Under continuous load the committer is never idle: the checkpoint then
// comes at the latest kCheckpointAfterDeletingBatches batches after the ack.
TEST(SqliteFileTest, AckedBlobLeavesTheWalUnderContinuousLoad) {
  TempDir dir;
  const std::string path = dir.file("relay.db");
  Owner a = Owner::Random();
  std::string blob(3000, '\0');
  crypto::SystemRandom().Fill(
      MutableByteView(reinterpret_cast<uint8_t*>(blob.data()), blob.size()));
  const std::string needle = blob.substr(1000, 64);
  auto store = Open(path);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(a)).ok());
  ASSERT_TRUE(store->AppendMessage(a.id, 1, MakeBlob(blob), 99999).ok());
  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->DeleteMessage(a.id, 1).value());
  ASSERT_TRUE(store->Commit().ok());
  store->AfterCommit(/*idle=*/false);
  EXPECT_TRUE(AnyFileContains(path, needle));  // still in an old WAL frame
  for (uint64_t id = 2; id < 2 + kCheckpointAfterDeletingBatches; ++id) {
    ASSERT_TRUE(store->Begin().ok());
    ASSERT_TRUE(store->AppendMessage(a.id, id, MakeBlob("busy"), 99999).ok());
    ASSERT_TRUE(store->DeleteMessage(a.id, id).value());  // acks keep coming
    ASSERT_TRUE(store->Commit().ok());
    store->AfterCommit(/*idle=*/false);
  }
  EXPECT_FALSE(AnyFileContains(path, needle));
}

}  // namespace
}  // namespace attune::relay
