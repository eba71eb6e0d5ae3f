// Background WAL checkpoints (SqliteMailboxStore::Options::
// background_checkpoints, docs/PROTOCOL.md (part mailbox) section 8): no
// commit waits for a checkpoint's page copies and database fsync, the WAL
// still starts over instead of growing, and nothing committed is lost.
#include <sys/stat.h>

#include <chrono>
#include <future>
#include <string>

#include "fault_vfs.h"
#include "relay_test_util.h"

namespace attune::relay {
namespace {

using testing::FaultVfs;
using testing::MakeBlob;
using testing::Owner;
using testing::TempDir;

constexpr uint64_t kExpires = 99999;

std::unique_ptr<SqliteMailboxStore> OpenWithBackgroundCheckpoints(const std::string& path,
                                                                  bool background) {
  SqliteMailboxStore::Options options;
  options.cache_mailboxes = true;  // as the relay's committer
  options.background_checkpoints = background;
  options.vfs = FaultVfs::kName;
  return testing::OpenStoreOrDie(path, std::move(options));
}

// One batch as the committer runs it: a transaction with one send, then
// the after-commit housekeeping of a busy relay.
Status CommitOneSend(SqliteMailboxStore& store, const Owner& owner, uint64_t id,
                     const std::string& blob) {
  ATTUNE_RETURN_IF_ERROR(store.Begin());
  if (Status st = store.AppendMessage(owner.id, id, MakeBlob(blob), kExpires); !st.ok()) {
    store.Rollback();
    return st;
  }
  ATTUNE_RETURN_IF_ERROR(store.Commit());
  store.AfterCommit(/*idle=*/false);
  return Status::Ok();
}

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

// The checkpoint is stuck in its database fsync (a slow disk, held by the
// VFS), yet commits go on: none of them copies pages or syncs relay.db.
// SQLite's automatic checkpoint (background_checkpoints off) runs inside the
// COMMIT that crosses its threshold, and that COMMIT would wait here.
TEST(SqliteCheckpointTest, CommitsGoOnWhileACheckpointIsStuckInTheDatabaseFsync) {
  FaultVfs::Register();
  TempDir dir;
  const std::string path = dir.file("relay.db");
  auto store = OpenWithBackgroundCheckpoints(path, /*background=*/true);
  ASSERT_NE(store, nullptr);
  Owner a = Owner::Random();
  ASSERT_TRUE(store->InsertMailbox(testing::NewMailbox(a)).ok());
  FaultVfs::HoldDatabaseSyncs();
  struct Release {
    ~Release() { FaultVfs::ReleaseDatabaseSyncs(); }  // never leave a sync stuck
  } release;
  const std::string blob(2000, 'x');
  constexpr int kAfterHeld = 200, kMaxCommits = 8000;
  // On a thread, so that a commit stuck in the fsync fails the test instead
  // of hanging it.
  auto commits = std::async(std::launch::async, [&]() -> Status {
    uint64_t id = 1;
    int after_held = 0;
    while (after_held < kAfterHeld) {
      if (id > kMaxCommits) return MakeError(ErrorCode::kInternal, "no checkpoint ever started");
      ATTUNE_RETURN_IF_ERROR(CommitOneSend(*store, a, id++, blob));
      if (FaultVfs::HeldDatabaseSyncs() > 0) after_held++;
    }
    return Status::Ok();
  });
  ASSERT_EQ(commits.wait_for(std::chrono::seconds(60)), std::future_status::ready)
      << "a commit waited for the stuck checkpoint";
  const Status st = commits.get();
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(FaultVfs::HeldDatabaseSyncs(), 1) << "one checkpoint, stuck in its fsync";
}

// Continuous commits: the background checkpoints let the WAL start over,
// so it stays below kMaxWalFrames pages, and every message is there after
// reopening.
TEST(SqliteCheckpointTest, TheWalStartsOverUnderContinuousCommits) {
  FaultVfs::Register();
  TempDir dir;
  const std::string path = dir.file("relay.db");
  Owner a = Owner::Random();
  constexpr uint64_t kCommits = 3000;
  const std::string blob(4000, 'y');
  // A WAL frame: a 24-byte header and a 4,096-byte page.
  constexpr int64_t kFrameBytes = 24 + 4096;
  int64_t largest_wal = 0;
  {
    auto store = OpenWithBackgroundCheckpoints(path, /*background=*/true);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->InsertMailbox(testing::NewMailbox(a)).ok());
    for (uint64_t id = 1; id <= kCommits; ++id) {
      ASSERT_TRUE(CommitOneSend(*store, a, id, blob).ok());
      largest_wal = std::max(largest_wal, FileSize(path + "-wal"));
    }
    EXPECT_GE(store->BackgroundCheckpoints(), 1u);
    // Every commit added at least one frame: without a restart the WAL
    // would hold all of them.
    EXPECT_LT(largest_wal, static_cast<int64_t>(kCommits) * kFrameBytes);
    EXPECT_LE(largest_wal, (kMaxWalFrames + 16) * kFrameBytes);
  }
  auto reopened = OpenWithBackgroundCheckpoints(path, /*background=*/false);
  ASSERT_NE(reopened, nullptr);
  auto all = reopened->FetchMessages(a.id, 0, 0, kCommits + 1, kCommits * (blob.size() + 1));
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  ASSERT_EQ(all->size(), kCommits);
  EXPECT_EQ(all->back().message_id, kCommits);
  EXPECT_EQ(*all->back().blob, blob);
}

}  // namespace
}  // namespace attune::relay
