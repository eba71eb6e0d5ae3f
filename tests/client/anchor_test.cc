// The rollback anchor's format 3 (store/anchor.h): in-place raise slots that
// survive a torn write, an unsynced confirm slot, legacy formats still read;
// relaxed transactions; the schema 1 -> 2 migration; the deferred page check
// (issue 10, "Performance": fewer fsyncs, no parsing, no full read on unlock).
#include "attune/client/store/anchor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "attune/client/store/message_index.h"
#include "attune/client/store/profile.h"
#include "attune/client/store/records.h"
#include "attune/crypto/random.h"

namespace attune::client::store {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPass = "anchor test passphrase";
constexpr size_t kSlot = 4096;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "attune-anchor-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string path() const { return path_; }
  std::string profile() const { return path_ + "/profile"; }

 private:
  std::string path_{};
};

void Scribble(const fs::path& file, std::streamoff offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(offset);
  f.write("TORN-TORN-TORN", 14);
}

void WriteText(const fs::path& file, std::string_view text) {
  std::ofstream f(file, std::ios::binary | std::ios::trunc);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
}

AnchorState Read(const std::string& dir) {
  auto a = ReadAnchorFile(dir);
  EXPECT_TRUE(a.ok()) << a.error().message;
  return a.ok() ? *a : AnchorState{};
}

TEST(AnchorFile, MissingIsZero) {
  TempDir tmp;
  AnchorState a = Read(tmp.path());
  EXPECT_EQ(a.confirmed, 0u);
  EXPECT_EQ(a.pending, 0u);
}

TEST(AnchorFile, LegacyFormatsAreReadAndTheFirstWriteReplacesThem) {
  TempDir tmp;
  const fs::path file = fs::path(tmp.path()) / "anchor";
  WriteText(file, "attune-anchor 1\n5\n");
  EXPECT_EQ(Read(tmp.path()).confirmed, 5u);
  WriteText(file, "attune-anchor 2\n7\n8\n");
  AnchorState a = Read(tmp.path());
  EXPECT_EQ(a.confirmed, 7u);
  EXPECT_EQ(a.pending, 8u);
  ASSERT_TRUE(RaiseAnchorFile(tmp.path(), AnchorState{8, 9}).ok());
  EXPECT_EQ(fs::file_size(file), 3 * kSlot);
  a = Read(tmp.path());
  EXPECT_EQ(a.confirmed, 8u);
  EXPECT_EQ(a.pending, 9u);
}

// A power cut tearing a raise leaves the previous raise in the other slot:
// the anchor is then the value before this raise, whose transaction had not
// committed yet. Raises alternate between the two slots.
TEST(AnchorFile, TornRaiseFallsBackToThePreviousRaise) {
  TempDir tmp;
  const fs::path file = fs::path(tmp.path()) / "anchor";
  ASSERT_TRUE(RaiseAnchorFile(tmp.path(), AnchorState{1, 2}).ok());  // both slots
  ASSERT_TRUE(RaiseAnchorFile(tmp.path(), AnchorState{2, 3}).ok());  // slot 0
  EXPECT_EQ(Read(tmp.path()).pending, 3u);
  Scribble(file, 20);  // slot 0 torn
  AnchorState a = Read(tmp.path());
  EXPECT_EQ(a.confirmed, 1u);
  EXPECT_EQ(a.pending, 2u);
  // The torn slot is the one written next; then the older one, slot 1.
  ASSERT_TRUE(RaiseAnchorFile(tmp.path(), AnchorState{2, 3}).ok());
  ASSERT_TRUE(RaiseAnchorFile(tmp.path(), AnchorState{3, 4}).ok());
  Scribble(file, kSlot + 20);  // slot 1 torn: slot 0 still has {2, 3}
  a = Read(tmp.path());
  EXPECT_EQ(a.confirmed, 2u);
  EXPECT_EQ(a.pending, 3u);
}

TEST(AnchorFile, ConfirmCountsButItsLossOnlyNarrowsNothing) {
  TempDir tmp;
  const fs::path file = fs::path(tmp.path()) / "anchor";
  ASSERT_TRUE(RaiseAnchorFile(tmp.path(), AnchorState{1, 2}).ok());
  ASSERT_TRUE(ConfirmAnchorFile(tmp.path(), AnchorState{2, 2}).ok());
  EXPECT_EQ(Read(tmp.path()).confirmed, 2u);
  Scribble(file, 2 * kSlot + 20);  // the unsynced confirm lost to a power cut
  AnchorState a = Read(tmp.path());
  EXPECT_EQ(a.confirmed, 1u);
  EXPECT_EQ(a.pending, 2u);
}

TEST(AnchorFile, NoValidSlotIsMalformed) {
  TempDir tmp;
  WriteText(fs::path(tmp.path()) / "anchor", std::string(3 * kSlot, 'x'));
  auto a = ReadAnchorFile(tmp.path());
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kInvalidArgument);
  WriteText(fs::path(tmp.path()) / "anchor", "attune-anchor 9\n1\n");
  EXPECT_FALSE(ReadAnchorFile(tmp.path()).ok());
}

Profile CreateProfile(const std::string& dir) {
  auto p =
      Profile::Create(dir, AsBytes(kPass), KdfStrength::kTestInteractive, crypto::SystemRandom());
  EXPECT_TRUE(p.ok()) << p.error().message;
  return std::move(p).value();
}

int64_t Synchronous(Database& db) {
  auto v = db.QueryInt("PRAGMA synchronous");
  return v.ok() && v->has_value() ? **v : -1;
}

// A relaxed transaction's synchronous=NORMAL never reaches a durable one.
TEST(Durability, RelaxedNeverLeaksIntoADurableTransaction) {
  TempDir tmp;
  Profile p = CreateProfile(tmp.profile());
  EXPECT_EQ(Synchronous(p.db()), 2);  // FULL
  {
    auto tx = Transaction::Begin(p.db(), Durability::kRelaxed);
    ASSERT_TRUE(tx.ok());
    EXPECT_EQ(Synchronous(p.db()), 1);  // NORMAL
    ASSERT_TRUE(tx->Commit().ok());
  }
  {
    auto tx = Transaction::Begin(p.db());
    ASSERT_TRUE(tx.ok());
    EXPECT_EQ(Synchronous(p.db()), 2);
  }  // rolled back
  {
    auto tx = Transaction::Begin(p.db(), Durability::kRelaxed);
    ASSERT_TRUE(tx.ok());
  }  // rolled back, still relaxed until the next durable Begin
  auto tx = Transaction::Begin(p.db());
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(Synchronous(p.db()), 2);
}

// A version-1 profile (no index columns) opens, is migrated once, and its
// messages are listed as not indexed yet (the engine indexes them).
TEST(Schema, Version1ProfileIsMigratedOnOpen) {
  TempDir tmp;
  {
    Profile p = CreateProfile(tmp.profile());
    Contact c;
    c.name = "sam";
    c.display_name = "Sam";
    c.identity_key = Bytes(144, 0x11);
    c.peer_relay = RelayRoute{"127.0.0.1", 7420, {}};
    auto id = InsertContact(p.db(), c);
    ASSERT_TRUE(id.ok());
    MessageRecord m;
    m.contact_id = *id;
    m.content = Bytes{1, 2, 3};
    ASSERT_TRUE(InsertMessage(p.db(), m).ok());
    // Back to the version 1 table, as an older Attune left it.
    ASSERT_TRUE(p.db()
                    .Exec("BEGIN IMMEDIATE;"
                          "CREATE TABLE m1(id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL "
                          "REFERENCES contacts(id), direction INTEGER NOT NULL, content BLOB NOT "
                          "NULL, created_at INTEGER NOT NULL, read INTEGER NOT NULL, sent INTEGER "
                          "NOT NULL);"
                          "INSERT INTO m1 SELECT id, contact_id, direction, content, created_at, "
                          "read, sent FROM messages;"
                          "DROP TABLE messages; ALTER TABLE m1 RENAME TO messages;"
                          "CREATE INDEX messages_by_contact ON messages(contact_id, id);"
                          "UPDATE meta SET value = 1 WHERE key = 'schema_version'; COMMIT;")
                    .ok());
    EXPECT_FALSE(p.db().Prepare("SELECT kind FROM messages").ok());
  }
  auto p = Profile::Open(tmp.profile(), AsBytes(kPass));
  ASSERT_TRUE(p.ok()) << p.error().message;
  auto version = p->db().QueryInt("SELECT value FROM meta WHERE key = 'schema_version'");
  ASSERT_TRUE(version.ok() && version->has_value());
  EXPECT_EQ(**version, kSchemaVersion);
  auto pending = ListUnindexed(p->db(), 10);
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->front().content, (Bytes{1, 2, 3}));
  // And it opens again without migrating twice.
  p = Result<Profile>(MakeError(ErrorCode::kInternal, "closed"));
  EXPECT_TRUE(Profile::Open(tmp.profile(), AsBytes(kPass)).ok());
}

// Damage in a page the open does not read: found at open by default, and by
// CheckIntegrity when the check is deferred.
TEST(Integrity, DeferredCheckFindsDamageLater) {
  TempDir tmp;
  const fs::path db = fs::path(tmp.profile()) / kDatabaseFileName;
  {
    Profile p = CreateProfile(tmp.profile());
    Contact c;
    c.name = "sam";
    c.display_name = "Sam";
    c.identity_key = Bytes(144, 0x11);
    c.peer_relay = RelayRoute{"127.0.0.1", 7420, {}};
    auto id = InsertContact(p.db(), c);
    ASSERT_TRUE(id.ok());
    auto tx = Transaction::Begin(p.db());
    ASSERT_TRUE(tx.ok());
    for (int i = 0; i < 400; ++i) {
      MessageRecord m;
      m.contact_id = *id;
      m.content = Bytes(300, static_cast<uint8_t>(i));
      ASSERT_TRUE(InsertMessage(p.db(), m).ok());
    }
    ASSERT_TRUE(tx->Commit().ok());
    ASSERT_TRUE(p.db().Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  }
  // Inside the last pages: message rows, which opening never reads.
  Scribble(db, static_cast<std::streamoff>(fs::file_size(db)) - 700);
  auto deferred = Profile::Open(tmp.profile(), AsBytes(kPass), IntegrityCheck::kDeferred);
  ASSERT_TRUE(deferred.ok()) << deferred.error().message;
  Status check = deferred->CheckIntegrity();
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.error().code, ErrorCode::kInvalidArgument);
  deferred = Result<Profile>(MakeError(ErrorCode::kInternal, "closed"));
  auto at_open = Profile::Open(tmp.profile(), AsBytes(kPass));
  ASSERT_FALSE(at_open.ok());
  EXPECT_EQ(at_open.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace attune::client::store
