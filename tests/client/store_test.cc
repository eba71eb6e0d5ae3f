// The encrypted profile store: opening, refusing, re-keying, atomicity and
// rollback detection. Most profiles here use the test-only INTERACTIVE
// Argon2id limits (recorded in keyparams); one test pays for MODERATE.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <thread>

#include "attune/client/store/anchor.h"
#include "attune/client/store/profile.h"
#include "attune/client/store/records.h"
#include "attune/crypto/random.h"

namespace attune::client::store {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPass = "correct horse battery staple";
constexpr std::string_view kMarker = "PLAINTEXT-MARKER-7f3a9c";

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "attune-store-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string profile() const { return path_ + "/profile"; }

 private:
  std::string path_{};
};

Bytes ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every file in the directory with its bytes.
std::map<std::string, Bytes> Snapshot(const std::string& dir) {
  std::map<std::string, Bytes> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) out[e.path().filename().string()] = ReadAll(e.path());
  }
  return out;
}

bool AnyFileContains(const std::string& dir, std::string_view needle) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    Bytes b = ReadAll(e.path());
    if (std::search(b.begin(), b.end(), needle.begin(), needle.end()) != b.end()) return true;
  }
  return false;
}

Profile CreateProfile(const std::string& dir, std::string_view pass = kPass) {
  auto p =
      Profile::Create(dir, AsBytes(pass), KdfStrength::kTestInteractive, crypto::SystemRandom());
  EXPECT_TRUE(p.ok()) << p.error().message;
  return std::move(p).value();
}

Contact SampleContact(std::string name) {
  Contact c;
  c.name = std::move(name);
  c.display_name = "Sam";
  c.identity_key = Bytes(144, 0x11);
  c.peer_relay = RelayRoute{"127.0.0.1", 7420, {}};
  c.created_at = 1;
  return c;
}

int64_t AddMessage(Database& db, int64_t contact, std::string_view text) {
  MessageRecord m;
  m.contact_id = contact;
  m.content.assign(text.begin(), text.end());
  m.created_at = 1;
  auto id = InsertMessage(db, m);
  EXPECT_TRUE(id.ok());
  return id.ok() ? *id : 0;
}

TEST(Profile, CreateOpenAndKeepData) {
  TempDir tmp;
  {
    Profile p = CreateProfile(tmp.profile());
    ASSERT_TRUE(PutSetting(p.db(), "display_name", AsBytes("Dr. Rivera")).ok());
  }
  auto opened = Profile::Open(tmp.profile(), AsBytes(kPass));
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto v = GetSetting(opened->db(), "display_name");
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ(AsStringView(**v), "Dr. Rivera");
  EXPECT_TRUE(opened->key_params().IsWeakerThanModerate());
  EXPECT_EQ(fs::status(tmp.profile()).permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST(Profile, ModerateLimitsAreTheDefaultForRealProfiles) {
  TempDir tmp;
  auto p = Profile::Create(tmp.profile(), AsBytes(kPass), KdfStrength::kModerate,
                           crypto::SystemRandom());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_FALSE(p->key_params().IsWeakerThanModerate());
  auto text = ReadAll(fs::path(tmp.profile()) / "keyparams");
  EXPECT_NE(std::string(text.begin(), text.end()).find("memlimit 268435456"), std::string::npos);
}

TEST(Profile, CreateRefusesAnExistingProfile) {
  TempDir tmp;
  { Profile p = CreateProfile(tmp.profile()); }
  auto before = Snapshot(tmp.profile());
  auto again = Profile::Create(tmp.profile(), AsBytes("other"), KdfStrength::kTestInteractive,
                               crypto::SystemRandom());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(Snapshot(tmp.profile()), before);
}

TEST(Profile, WrongPassphraseIsOneClearErrorAndChangesNothing) {
  TempDir tmp;
  {
    Profile p = CreateProfile(tmp.profile());
    ASSERT_TRUE(PutSetting(p.db(), "k", AsBytes("v")).ok());
  }
  auto before = Snapshot(tmp.profile());
  auto opened = Profile::Open(tmp.profile(), AsBytes("wrong passphrase!"));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::kAuthFailed);
  EXPECT_EQ(opened.error().message, "wrong passphrase");
  EXPECT_EQ(Snapshot(tmp.profile()), before);
}

TEST(Profile, MissingProfileIsNotFound) {
  TempDir tmp;
  EXPECT_EQ(Profile::Open(tmp.profile(), AsBytes(kPass)).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(tmp.profile()));
}

// Truncation and corruption: a clear error, the file byte-for-byte as it was.
TEST(Profile, TruncatedOrCorruptedDatabaseIsRefusedUntouched) {
  TempDir tmp;
  {
    Profile p = CreateProfile(tmp.profile());
    auto contact = InsertContact(p.db(), SampleContact("sam"));
    ASSERT_TRUE(contact.ok());
    for (int i = 0; i < 200; ++i) AddMessage(p.db(), *contact, std::string(200, 'm'));
  }
  const fs::path db = fs::path(tmp.profile()) / "attune.db";
  const Bytes original = ReadAll(db);
  ASSERT_GT(original.size(), 8 * 1024u);

  struct Case {
    const char* name = nullptr;
    Bytes bytes{};
  };
  std::vector<Case> cases;
  cases.push_back({"ragged truncation", Bytes(original.begin(), original.begin() + 3000)});
  cases.push_back({"page-aligned truncation", Bytes(original.begin(), original.begin() + 4096)});
  cases.push_back({"empty file", Bytes()});
  Bytes flipped_first = original;
  flipped_first[100] ^= 0x01;
  cases.push_back({"bit flip in page 1", flipped_first});
  Bytes flipped_late = original;
  flipped_late[original.size() - 500] ^= 0x80;
  cases.push_back({"bit flip in the last page", flipped_late});

  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    {
      std::ofstream out(db, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(c.bytes.data()),
                static_cast<std::streamsize>(c.bytes.size()));
    }
    auto before = Snapshot(tmp.profile());
    auto opened = Profile::Open(tmp.profile(), AsBytes(kPass));
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(opened.error().message.find("database file is"), std::string::npos)
        << opened.error().message;
    EXPECT_EQ(Snapshot(tmp.profile()), before);
  }
}

// A plaintext SQLite database planted where the profile's database belongs
// is never opened or written, whatever the passphrase.
TEST(Profile, PlantedUnencryptedDatabaseIsRefused) {
  TempDir tmp;
  { Profile p = CreateProfile(tmp.profile()); }
  const std::string db = tmp.profile() + "/attune.db";
  fs::remove(db);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(raw, "CREATE TABLE meta(key TEXT, value INTEGER);", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(raw);
  Bytes head = ReadAll(db);
  ASSERT_EQ(std::string(head.begin(), head.begin() + 15), "SQLite format 3");

  auto before = Snapshot(tmp.profile());
  auto opened = Profile::Open(tmp.profile(), AsBytes(kPass));
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("NOT encrypted"), std::string::npos);
  EXPECT_EQ(Snapshot(tmp.profile()), before);
}

TEST(Profile, ChangePassphraseReKeysEverything) {
  TempDir tmp;
  {
    Profile p = CreateProfile(tmp.profile());
    auto contact = InsertContact(p.db(), SampleContact("sam"));
    ASSERT_TRUE(contact.ok());
    AddMessage(p.db(), *contact, "before passwd");
    Status changed = p.ChangePassphrase(AsBytes("new passphrase"), crypto::SystemRandom());
    ASSERT_TRUE(changed.ok()) << changed.ToString();
    // Still usable after the swap.
    AddMessage(p.db(), *contact, "after passwd");
  }
  EXPECT_EQ(Profile::Open(tmp.profile(), AsBytes(kPass)).error().code, ErrorCode::kAuthFailed);
  auto opened = Profile::Open(tmp.profile(), AsBytes("new passphrase"));
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto contact = GetContactByName(opened->db(), "sam");
  ASSERT_TRUE(contact.ok());
  auto messages = ListMessages(opened->db(), contact->id);
  ASSERT_TRUE(messages.ok());
  ASSERT_EQ(messages->size(), 2u);
  EXPECT_EQ(AsStringView(messages->at(0).content), "before passwd");
  for (const char* leftover : {"attune.db.new", "keyparams.new", "keyparams.tmp"}) {
    EXPECT_FALSE(fs::exists(fs::path(tmp.profile()) / leftover)) << leftover;
  }
}

TEST(Profile, ChangePassphraseRefusedWhileAnotherHandleIsOpen) {
  TempDir tmp;
  { Profile p = CreateProfile(tmp.profile()); }
  auto a = Profile::Open(tmp.profile(), AsBytes(kPass));
  auto b = Profile::Open(tmp.profile(), AsBytes(kPass));
  ASSERT_TRUE(a.ok() && b.ok());
  Status s = a->ChangePassphrase(AsBytes("new"), crypto::SystemRandom());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("in use"), std::string::npos);
}

// A crash between "new database in place" and "new keyparams in place":
// the next open with the NEW passphrase finishes the change.
TEST(Profile, InterruptedPassphraseChangeAfterSwapCompletes) {
  TempDir tmp;
  const fs::path dir = tmp.profile();
  { Profile p = CreateProfile(dir.string()); }
  const Bytes old_params = ReadAll(dir / "keyparams");
  {
    auto p = Profile::Open(dir.string(), AsBytes(kPass));
    ASSERT_TRUE(p.ok());
    Status changed = p->ChangePassphrase(AsBytes("new passphrase"), crypto::SystemRandom());
    ASSERT_TRUE(changed.ok()) << changed.ToString();
  }
  // Reconstruct the crash state: new params still under keyparams.new, old
  // params still current.
  fs::rename(dir / "keyparams", dir / "keyparams.new");
  std::ofstream(dir / "keyparams", std::ios::binary)
      .write(reinterpret_cast<const char*>(old_params.data()),
             static_cast<std::streamsize>(old_params.size()));
  auto opened = Profile::Open(dir.string(), AsBytes("new passphrase"));
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_FALSE(fs::exists(dir / "keyparams.new"));
}

// A crash before the swap: the old passphrase still works, debris is removed.
TEST(Profile, InterruptedPassphraseChangeBeforeSwapRollsBack) {
  TempDir tmp;
  const fs::path dir = tmp.profile();
  { Profile p = CreateProfile(dir.string()); }
  const Bytes params = ReadAll(dir / "keyparams");
  std::ofstream(dir / "keyparams.new", std::ios::binary)
      .write(reinterpret_cast<const char*>(params.data()),
             static_cast<std::streamsize>(params.size()));
  std::ofstream(dir / "attune.db.new") << "half an export";
  auto opened = Profile::Open(dir.string(), AsBytes(kPass));
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_FALSE(fs::exists(dir / "keyparams.new"));
  EXPECT_FALSE(fs::exists(dir / "attune.db.new"));
}

TEST(Profile, UncommittedTransactionLeavesNoTrace) {
  TempDir tmp;
  Profile p = CreateProfile(tmp.profile());
  auto contact = InsertContact(p.db(), SampleContact("sam"));
  ASSERT_TRUE(contact.ok());
  {
    auto tx = Transaction::Begin(p.db());
    ASSERT_TRUE(tx.ok());
    AddMessage(p.db(), *contact, "never committed");
    ASSERT_TRUE(PutSession(p.db(), *contact, AsBytes("state-2"), 2).ok());
    // Destroyed without Commit: as if the process died here.
  }
  auto messages = ListMessages(p.db(), *contact);
  ASSERT_TRUE(messages.ok());
  EXPECT_TRUE(messages->empty());
  EXPECT_EQ(GetSession(p.db(), *contact).error().code, ErrorCode::kNotFound);
  {
    auto tx = Transaction::Begin(p.db());
    ASSERT_TRUE(tx.ok());
    AddMessage(p.db(), *contact, "committed");
    ASSERT_TRUE(PutSession(p.db(), *contact, AsBytes("state-3"), 3).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(ListMessages(p.db(), *contact)->size(), 1u);
  EXPECT_TRUE(GetSession(p.db(), *contact).ok());
}

TEST(Profile, ProcessedHashesDetectRedelivery) {
  TempDir tmp;
  Profile p = CreateProfile(tmp.profile());
  ByteArray<32> h{};
  h[0] = 7;
  EXPECT_FALSE(*WasProcessed(p.db(), h));
  ASSERT_TRUE(MarkProcessed(p.db(), h, 1000).ok());
  ASSERT_TRUE(MarkProcessed(p.db(), h, 1001).ok());  // idempotent
  EXPECT_TRUE(*WasProcessed(p.db(), h));
  ASSERT_TRUE(PruneProcessed(p.db(), 1000 + kProcessedRetentionSeconds - 1).ok());
  EXPECT_TRUE(*WasProcessed(p.db(), h));
  ASSERT_TRUE(PruneProcessed(p.db(), 1001 + kProcessedRetentionSeconds).ok());
  EXPECT_FALSE(*WasProcessed(p.db(), h));
}

// Restoring an older copy of the database is detected through the anchor
// and disables sending to every contact (docs/security/client.md).
TEST(Profile, RestoredOlderDatabaseIsDetectedAndBlocksSending) {
  TempDir tmp;
  const fs::path dir = tmp.profile();
  const fs::path backup = fs::path(tmp.profile() + "-backup.db");
  {
    Profile p = CreateProfile(dir.string());
    ASSERT_TRUE(InsertContact(p.db(), SampleContact("sam")).ok());
    ASSERT_TRUE(p.db().Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
    fs::copy_file(dir / "attune.db", backup);
    for (int i = 0; i < 3; ++i) {
      auto tx = Transaction::Begin(p.db());
      ASSERT_TRUE(tx.ok());
      auto g = p.BumpGeneration();
      ASSERT_TRUE(g.ok());
      ASSERT_TRUE(tx->Commit().ok());
      p.ConfirmAnchor(*g);
    }
  }
  {
    auto p = Profile::Open(dir.string(), AsBytes(kPass));
    ASSERT_TRUE(p.ok());
    EXPECT_FALSE(p->rollback_detected());
  }
  fs::remove(dir / "attune.db-wal");
  fs::remove(dir / "attune.db-shm");
  fs::copy_file(backup, dir / "attune.db", fs::copy_options::overwrite_existing);
  {
    auto p = Profile::Open(dir.string(), AsBytes(kPass));
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(p->rollback_detected());
    auto c = GetContactByName(p->db(), "sam");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->send_block, "rollback");
  }
  // The detection is recorded: the block survives the next open.
  auto p = Profile::Open(dir.string(), AsBytes(kPass));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(GetContactByName(p->db(), "sam")->send_block, "rollback");
}

TEST(Profile, NoPlaintextOrSecretsOnDisk) {
  TempDir tmp;
  {
    Profile p = CreateProfile(tmp.profile());
    auto contact = InsertContact(p.db(), SampleContact("sam"));
    ASSERT_TRUE(contact.ok());
    for (int i = 0; i < 50; ++i) AddMessage(p.db(), *contact, kMarker);
    ASSERT_TRUE(PutSetting(p.db(), "note", AsBytes(kMarker)).ok());
    // Checked while open (WAL present) and after close.
    EXPECT_FALSE(AnyFileContains(tmp.profile(), kMarker));
    EXPECT_FALSE(AnyFileContains(tmp.profile(), kPass));
  }
  EXPECT_FALSE(AnyFileContains(tmp.profile(), kMarker));
  EXPECT_FALSE(AnyFileContains(tmp.profile(), "SQLite format 3"));
}

TEST(Profile, WipeRemovesEveryFile) {
  TempDir tmp;
  {
    Profile p = CreateProfile(tmp.profile());
    auto tx = Transaction::Begin(p.db());
    ASSERT_TRUE(tx.ok());
    auto g = p.BumpGeneration();
    ASSERT_TRUE(g.ok());
    ASSERT_TRUE(tx->Commit().ok());
    p.ConfirmAnchor(*g);
  }
  ASSERT_TRUE(Profile::Wipe(tmp.profile()).ok());
  EXPECT_FALSE(fs::exists(tmp.profile()));
}

// The anchor is raised before COMMIT; when it cannot be written the
// transaction must not commit, so nothing it encrypted can ever be sent.
TEST(Profile, UnwritableAnchorFailsTheTransactionAndChangesNothing) {
  TempDir tmp;
  Profile p = CreateProfile(tmp.profile());
  auto before = p.db().QueryInt("SELECT value FROM meta WHERE key='generation'");
  ASSERT_TRUE(before.ok() && before->has_value());
  // A directory where the anchor file goes: the rename over it fails.
  fs::create_directories(fs::path(tmp.profile()) / "anchor" / "occupied");
  {
    auto tx = Transaction::Begin(p.db());
    ASSERT_TRUE(tx.ok());
    auto g = p.BumpGeneration();
    EXPECT_FALSE(g.ok());
    // The caller returns the error; the transaction rolls back.
  }
  auto after = p.db().QueryInt("SELECT value FROM meta WHERE key='generation'");
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ(**after, **before);
  // No temp file is left behind.
  for (const auto& e : fs::directory_iterator(tmp.profile())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
}

// A crash between the anchor write and COMMIT leaves the anchor one
// generation ahead: that is not a restored database.
TEST(Profile, CrashBetweenAnchorAndCommitIsNotARollback) {
  TempDir tmp;
  {
    Profile p = CreateProfile(tmp.profile());
    ASSERT_TRUE(InsertContact(p.db(), SampleContact("sam")).ok());
    auto tx = Transaction::Begin(p.db());
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(p.BumpGeneration().ok());
    // Destroyed without Commit: rolled back, as after a crash.
  }
  auto p = Profile::Open(tmp.profile(), AsBytes(kPass));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_FALSE(p->rollback_detected());
  EXPECT_EQ(GetContactByName(p->db(), "sam")->send_block, "");
}

// Two handles on one profile (as two processes would be) commit 2 x 100
// generation bumps concurrently: no error, none lost, anchor never behind.
TEST(Profile, ConcurrentWritersLoseNothing) {
  TempDir tmp;
  { Profile created = CreateProfile(tmp.profile()); }
  constexpr int kPerWriter = 100;
  std::atomic<int> failures{0};
  // Both handles are opened before either writes: opening reads the file
  // through a second descriptor, and closing that would drop the POSIX
  // locks of another connection in the same process (separate processes,
  // the real case, are not affected).
  auto first = std::make_unique<Result<Profile>>(Profile::Open(tmp.profile(), AsBytes(kPass)));
  auto second = std::make_unique<Result<Profile>>(Profile::Open(tmp.profile(), AsBytes(kPass)));
  ASSERT_TRUE(first->ok() && second->ok());
  auto writer = [&](Profile* p) {
    for (int i = 0; i < kPerWriter; ++i) {
      auto tx = Transaction::Begin(p->db());
      if (!tx.ok()) {
        ++failures;
        continue;
      }
      auto g = p->BumpGeneration();
      if (!g.ok() || !tx->Commit().ok()) {
        ++failures;
        continue;
      }
      p->ConfirmAnchor(*g);
    }
  };
  std::thread a(writer, &**first), b(writer, &**second);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  first.reset();
  second.reset();
  auto p = Profile::Open(tmp.profile(), AsBytes(kPass));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_FALSE(p->rollback_detected());
  auto g = p->db().QueryInt("SELECT value FROM meta WHERE key='generation'");
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ(**g, 2 * kPerWriter);
  auto anchor = ReadAnchorFile(tmp.profile());
  ASSERT_TRUE(anchor.ok()) << anchor.error().message;
  EXPECT_EQ(anchor->confirmed, static_cast<uint64_t>(2 * kPerWriter));
  // The last raise announced the generation that then committed.
  EXPECT_EQ(anchor->pending, static_cast<uint64_t>(2 * kPerWriter));
}

// MarkSent changes the outbox row and the history row together.
TEST(Profile, MarkSentUpdatesBothRowsAtomically) {
  TempDir tmp;
  Profile p = CreateProfile(tmp.profile());
  auto contact = InsertContact(p.db(), SampleContact("sam"));
  ASSERT_TRUE(contact.ok());
  MessageRecord m;
  m.contact_id = *contact;
  m.direction = Direction::kOutgoing;
  m.content = Bytes{1, 2, 3};
  auto message = InsertMessage(p.db(), m);
  ASSERT_TRUE(message.ok());
  auto row = InsertOutbox(p.db(), OutboxEntry{0, *contact, *message, Bytes{9}}, 1);
  ASSERT_TRUE(row.ok());
  // A failure after the first UPDATE (the history table is gone) must undo
  // it too.
  ASSERT_TRUE(p.db().Exec("ALTER TABLE messages RENAME TO messages_away").ok());
  EXPECT_FALSE(MarkSent(p.db(), *row, 7, 2).ok());
  ASSERT_TRUE(p.db().Exec("ALTER TABLE messages_away RENAME TO messages").ok());
  auto unsent = ListUnsent(p.db(), 10);
  ASSERT_TRUE(unsent.ok());
  EXPECT_EQ(unsent->size(), 1u);
  ASSERT_TRUE(MarkSent(p.db(), *row, 7, 2).ok());
  EXPECT_TRUE(ListUnsent(p.db(), 10)->empty());
  EXPECT_TRUE(ListMessages(p.db(), *contact)->front().sent);
}

}  // namespace
}  // namespace attune::client::store
