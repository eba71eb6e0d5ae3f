#include "attune/client/store/profile.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "attune/client/store/anchor.h"
#include "attune/client/store/records.h"
#include "attune/crypto/util.h"
#include "files.h"
#include "schema.h"

namespace attune::client::store {
namespace {

constexpr std::string_view kKeyParamsFile = "keyparams";
constexpr std::string_view kKeyParamsNext = "keyparams.new";
constexpr std::string_view kDatabaseNext = "attune.db.new";
constexpr std::string_view kPlainHeader = "SQLite format 3";

// Only called while this process has no connection to the file: closing the
// descriptor would drop SQLite's POSIX locks (see Database::ReadRawPrefix).
// A plaintext SQLite file starts with "SQLite format 3\0"; an SQLCipher file
// starts with its random salt. Refusing the former means a missing or
// ignored key can never lead us to read or extend an unencrypted database.
Status RefusePlaintext(const std::string& path) {
  ATTUNE_ASSIGN_OR_RETURN(Bytes head, ReadPrefix(path, kPlainHeader.size()));
  if (head.size() == kPlainHeader.size() &&
      std::memcmp(head.data(), kPlainHeader.data(), head.size()) == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the profile's database file is NOT encrypted; refusing to use it");
  }
  return Status::Ok();
}

Result<KeyParams> ReadKeyParams(const std::string& dir, std::string_view name) {
  ATTUNE_ASSIGN_OR_RETURN(std::string text,
                          ReadSmallFile(JoinPath(dir, name), kKeyParamsMaxFileSize));
  return KeyParams::Parse(text);
}

// Applies the connection settings every handle uses. Runs only after the key
// has been verified, because journal_mode=WAL writes to the file.
Status ConfigureConnection(Database& db) {
  ATTUNE_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL"));
  ATTUNE_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  ATTUNE_RETURN_IF_ERROR(db.Exec("PRAGMA temp_store=MEMORY"));
  // 16 MiB of page cache (default 2 MB): a therapist's history of tens of
  // thousands of messages stays decrypted in memory instead of being
  // decrypted again on every list.
  ATTUNE_RETURN_IF_ERROR(db.Exec("PRAGMA cache_size=-16384"));
  ATTUNE_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=ON"));
  // Deleted rows (acked ciphertexts, consumed invitations) are overwritten.
  ATTUNE_RETURN_IF_ERROR(db.Exec("PRAGMA secure_delete=ON"));
  return Status::Ok();
}

// Opens and keys dir/attune.db; verifies the key by reading the schema. No
// write happens unless the key is right and the schema is ours.
Status QuickCheck(Database& db) {
  auto check = db.Prepare("PRAGMA quick_check");
  if (!check.ok()) return check.error();
  auto row = check->Step();
  if (!row.ok() || !*row || check->ColumnText(0) != "ok") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the profile's database file is corrupted (integrity check failed)");
  }
  return Status::Ok();
}

Result<Database> OpenKeyed(const std::string& path, const DatabaseKey& key,
                           IntegrityCheck check = IntegrityCheck::kAtOpen) {
  ATTUNE_ASSIGN_OR_RETURN(uint64_t size, FileSize(path));
  // SQLCipher 3 pages are 1024 bytes; anything shorter or ragged is damaged.
  if (size == 0 || size % 1024 != 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the profile's database file is truncated or damaged");
  }
  ATTUNE_RETURN_IF_ERROR(RefusePlaintext(path));
  ATTUNE_ASSIGN_OR_RETURN(Database db, Database::OpenFile(path, /*create=*/false));
  crypto::SecretBytes spec = RawKeySpec(key);
  ATTUNE_RETURN_IF_ERROR(db.Key(spec.view()));
  auto probe = db.QueryInt("SELECT count(*) FROM sqlite_master");
  if (!probe.ok()) {
    // The key matched keyparams' check value, so the file itself is bad.
    return MakeError(ErrorCode::kInvalidArgument,
                     "the profile's database file is corrupted (it does not decrypt)");
  }
  ATTUNE_RETURN_IF_ERROR(CheckSchema(db));
  // Reads every page, so SQLCipher verifies every page's HMAC: damage
  // anywhere is reported now, before anything is written. Deferred only by
  // callers that run Profile::CheckIntegrity before their first write.
  if (check == IntegrityCheck::kAtOpen) ATTUNE_RETURN_IF_ERROR(QuickCheck(db));
  // Again after keying, through SQLite's own handle (see ReadRawPrefix).
  ATTUNE_ASSIGN_OR_RETURN(Bytes head, db.ReadRawPrefix(kPlainHeader.size()));
  if (head.size() == kPlainHeader.size() &&
      std::memcmp(head.data(), kPlainHeader.data(), head.size()) == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the profile's database file is NOT encrypted; refusing to use it");
  }
  return db;
}

Error WrongPassphrase() { return MakeError(ErrorCode::kAuthFailed, "wrong passphrase"); }

Result<DatabaseKey> DeriveChecked(ByteView passphrase, const KeyParams& params) {
  ATTUNE_ASSIGN_OR_RETURN(DatabaseKey key, DeriveDatabaseKey(passphrase, params));
  ByteArray<16> check = ComputeKeyCheck(key);
  if (!crypto::ConstantTimeEqual(check, params.check)) return WrongPassphrase();
  return key;
}

constexpr std::string_view kAnchorLockFile = "anchor.lock";

// Finishes or undoes a passphrase change that a crash interrupted
// (ChangePassphrase documents the order of steps). Returns the keyparams
// valid for the database together with its key.
struct Unlocked {
  KeyParams params{};
  DatabaseKey key{};
};

// True when `key` opens the database at path and it passes the checks of
// OpenKeyed (which never writes to a file the key does not open).
bool OpensDatabase(const std::string& path, const DatabaseKey& key) {
  auto db = OpenKeyed(path, key);
  if (!db.ok()) return false;
  db->Close();
  return true;
}

Error InterruptedChange(std::string_view which) {
  return MakeError(ErrorCode::kAuthFailed,
                   "a passphrase change (`attune passwd`) was interrupted; this profile now opens "
                   "only with your " +
                       std::string(which) + " passphrase (nothing was deleted)");
}

Result<Unlocked> UnlockWithRecovery(const std::string& dir, ByteView passphrase) {
  ATTUNE_ASSIGN_OR_RETURN(KeyParams current, ReadKeyParams(dir, kKeyParamsFile));
  const std::string db_path = JoinPath(dir, kDatabaseFileName);
  const std::string next_db = JoinPath(dir, kDatabaseNext);
  if (!PathExists(JoinPath(dir, kKeyParamsNext))) {
    ATTUNE_ASSIGN_OR_RETURN(DatabaseKey key, DeriveChecked(passphrase, current));
    return Unlocked{current, std::move(key)};
  }
  // An interrupted `passwd` (ChangePassphrase lists the steps). Which
  // passphrase is current is decided by the database itself, never by
  // which files exist, and nothing is deleted until a key has been proven
  // to open attune.db: a typo or the "wrong" one of the two passphrases
  // must never cost the only copy of the salt that opens it.
  ATTUNE_ASSIGN_OR_RETURN(KeyParams next, ReadKeyParams(dir, kKeyParamsNext));
  auto old_key = DeriveChecked(passphrase, current);
  if (old_key.ok() && OpensDatabase(db_path, *old_key)) {
    // The switch (step 4) never happened: drop the half-done change.
    ATTUNE_RETURN_IF_ERROR(ZeroAndRemove(next_db));
    ATTUNE_RETURN_IF_ERROR(RemoveIfExists(next_db + "-journal"));
    ATTUNE_RETURN_IF_ERROR(RemoveIfExists(JoinPath(dir, kKeyParamsNext)));
    return Unlocked{current, std::move(old_key).value()};
  }
  auto new_key = DeriveChecked(passphrase, next);
  if (new_key.ok() && !PathExists(next_db) && OpensDatabase(db_path, *new_key)) {
    // The switch happened; finish step 5.
    ATTUNE_RETURN_IF_ERROR(RenameDurable(dir, kKeyParamsNext, kKeyParamsFile));
    return Unlocked{next, std::move(new_key).value()};
  }
  if (old_key.ok()) return InterruptedChange("NEW");
  if (new_key.ok()) return InterruptedChange("OLD");
  return MakeError(ErrorCode::kAuthFailed,
                   "wrong passphrase (a passphrase change was interrupted: type the old or the new "
                   "passphrase)");
}

}  // namespace

Profile::Profile(Profile&&) noexcept = default;
Profile& Profile::operator=(Profile&&) noexcept = default;
Profile::~Profile() = default;

bool Profile::Exists(const std::string& dir) {
  return PathExists(JoinPath(dir, kKeyParamsFile)) || PathExists(JoinPath(dir, kDatabaseFileName));
}

Result<Profile> Profile::Create(const std::string& dir, ByteView passphrase, KdfStrength strength,
                                crypto::RandomSource& random) {
  ATTUNE_RETURN_IF_ERROR(crypto::Init());
  if (Exists(dir)) {
    return MakeError(ErrorCode::kAlreadyExists, "a profile already exists in " + dir);
  }
  ATTUNE_RETURN_IF_ERROR(MakeDirPrivate(dir));
  ATTUNE_ASSIGN_OR_RETURN(ProfileLock lock, ProfileLock::Acquire(dir, /*exclusive=*/true));
  KeyParams params = KeyParams::Fresh(random, strength);
  ATTUNE_ASSIGN_OR_RETURN(DatabaseKey key, DeriveDatabaseKey(passphrase, params));
  params.check = ComputeKeyCheck(key);

  const std::string path = JoinPath(dir, kDatabaseFileName);
  // Created here, mode 0600, rather than by SQLite (0644 less umask); SQLite
  // gives the -wal and -shm files the database file's mode.
  ATTUNE_RETURN_IF_ERROR(CreatePrivateFile(path));
  {
    ATTUNE_ASSIGN_OR_RETURN(Database db, Database::OpenFile(path, /*create=*/true));
    crypto::SecretBytes spec = RawKeySpec(key);
    ATTUNE_RETURN_IF_ERROR(db.Key(spec.view()));
    ATTUNE_RETURN_IF_ERROR(ConfigureConnection(db));
    ATTUNE_RETURN_IF_ERROR(CreateSchema(db));
  }
  // keyparams last: a crash before this leaves no half-made profile that
  // Exists() would report (the stray database is removed by `attune wipe`).
  ATTUNE_RETURN_IF_ERROR(WriteFileAtomic(dir, kKeyParamsFile, params.Serialize()));
  ATTUNE_RETURN_IF_ERROR(lock.Downgrade());

  Profile p;
  p.dir_ = dir;
  p.params_ = params;
  p.lock_ = std::make_unique<ProfileLock>(std::move(lock));
  ATTUNE_ASSIGN_OR_RETURN(Database db, OpenKeyed(path, key));
  ATTUNE_RETURN_IF_ERROR(ConfigureConnection(db));
  p.db_ = std::make_unique<Database>(std::move(db));
  return p;
}

Result<Profile> Profile::Open(const std::string& dir, ByteView passphrase) {
  return Open(dir, passphrase, IntegrityCheck::kAtOpen);
}

Status Profile::CheckIntegrity() { return QuickCheck(*db_); }

Result<Profile> Profile::Open(const std::string& dir, ByteView passphrase, IntegrityCheck check) {
  ATTUNE_RETURN_IF_ERROR(crypto::Init());
  const std::string path = JoinPath(dir, kDatabaseFileName);
  if (!PathExists(JoinPath(dir, kKeyParamsFile)) && !PathExists(JoinPath(dir, kKeyParamsNext))) {
    if (PathExists(path)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the profile in " + dir + " has a database but no keyparams file");
    }
    return MakeError(ErrorCode::kNotFound,
                     "no profile in " + dir + " (create one with `attune init`)");
  }
  if (!PathExists(path)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the profile in " + dir + " has no database file (attune.db)");
  }
  // Shared lock first: a concurrent passwd holds it exclusively.
  ATTUNE_ASSIGN_OR_RETURN(ProfileLock lock, ProfileLock::Acquire(dir, /*exclusive=*/false));
  // Profiles made by older versions: the database files become private.
  for (const std::string& f : {path, path + "-wal", path + "-shm"}) {
    ATTUNE_RETURN_IF_ERROR(MakeFilePrivate(f));
  }
  // Refused before any KDF work, so a planted plaintext file costs nothing.
  ATTUNE_RETURN_IF_ERROR(RefusePlaintext(path));
  ATTUNE_ASSIGN_OR_RETURN(Unlocked unlocked, UnlockWithRecovery(dir, passphrase));
  ATTUNE_ASSIGN_OR_RETURN(Database db, OpenKeyed(path, unlocked.key, check));
  ATTUNE_RETURN_IF_ERROR(ConfigureConnection(db));
  ATTUNE_RETURN_IF_ERROR(MigrateSchema(db));

  Profile p;
  p.dir_ = dir;
  p.params_ = unlocked.params;
  p.lock_ = std::make_unique<ProfileLock>(std::move(lock));
  p.db_ = std::make_unique<Database>(std::move(db));

  // Rollback detection: the anchor outlives a database restored from an
  // older copy (docs/security/client.md, "Restoring an old database"). Read
  // under the anchor lock, anchor first: the anchor is then frozen, and the
  // database's generation can only have grown since.
  {
    ATTUNE_ASSIGN_OR_RETURN(FileLock anchor_lock, FileLock::Exclusive(dir, kAnchorLockFile));
    ATTUNE_ASSIGN_OR_RETURN(AnchorState anchor, ReadAnchorFile(dir));
    ATTUNE_ASSIGN_OR_RETURN(uint64_t generation, ReadGeneration(*p.db_));
    // `pending` may be one ahead: a transaction announced it and is about to
    // commit (or crashed before COMMIT, which sent nothing). Anything more
    // means a committed generation the database no longer has.
    if (anchor.confirmed > generation || anchor.pending > generation + 1) {
      ATTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*p.db_));
      ATTUNE_RETURN_IF_ERROR(BlockAllContacts(*p.db_, "rollback"));
      ATTUNE_RETURN_IF_ERROR(WriteGeneration(*p.db_, std::max(anchor.confirmed, anchor.pending)));
      ATTUNE_RETURN_IF_ERROR(tx.Commit());
      p.rollback_detected_ = true;
    } else if (generation > anchor.confirmed) {
      // Confirms what a process that crashed after COMMIT could not (best
      // effort, like ConfirmAnchor: the raise before that COMMIT protects it).
      ATTUNE_RETURN_IF_ERROR(ConfirmAnchorFile(dir, AnchorState{generation, anchor.pending}));
    }
  }
  return p;
}

Result<uint64_t> Profile::BumpGeneration() {
  ATTUNE_ASSIGN_OR_RETURN(uint64_t g, ReadGeneration(*db_));
  {
    // Raised before COMMIT: once the transaction commits, its ciphertexts
    // may leave the device, and a restored older database must then be
    // recognisable. A failed write fails the transaction (nothing is sent).
    ATTUNE_ASSIGN_OR_RETURN(FileLock anchor_lock, FileLock::Exclusive(dir_, kAnchorLockFile));
    ATTUNE_ASSIGN_OR_RETURN(AnchorState anchor, ReadAnchorFile(dir_));
    AnchorState next{std::max(anchor.confirmed, g), std::max(anchor.pending, g + 1)};
    ATTUNE_RETURN_IF_ERROR(RaiseAnchorFile(dir_, next));
  }
  ATTUNE_RETURN_IF_ERROR(WriteGeneration(*db_, g + 1));
  return g + 1;
}

void Profile::ConfirmAnchor(uint64_t generation) {
  // Best effort: the pending value written before COMMIT already protects
  // this generation; confirming only narrows the window in which a restore
  // of exactly the previous database would go unnoticed, and the next open
  // confirms too. A failure here must not make a committed send look failed.
  auto lock = FileLock::Exclusive(dir_, kAnchorLockFile);
  if (!lock.ok()) return;
  auto anchor = ReadAnchorFile(dir_);
  if (!anchor.ok() || anchor->confirmed >= generation) return;
  (void)ConfirmAnchorFile(dir_, AnchorState{generation, anchor->pending});
}

Status Profile::ChangePassphrase(ByteView new_passphrase, crypto::RandomSource& random,
                                 const std::function<void(int)>& after_step) {
  auto step = [&](int n) {
    if (after_step) after_step(n);
  };
  // Every other process must be gone: their handles would keep the old file.
  ATTUNE_RETURN_IF_ERROR(lock_->Upgrade());
  const KdfStrength strength =
      params_.IsWeakerThanModerate() ? KdfStrength::kTestInteractive : KdfStrength::kModerate;
  KeyParams next = KeyParams::Fresh(random, strength);
  ATTUNE_ASSIGN_OR_RETURN(DatabaseKey key, DeriveDatabaseKey(new_passphrase, next));
  next.check = ComputeKeyCheck(key);

  const std::string path = JoinPath(dir_, kDatabaseFileName);
  const std::string next_path = JoinPath(dir_, kDatabaseNext);
  ATTUNE_RETURN_IF_ERROR(ZeroAndRemove(next_path));
  // Step 1: the new parameters, durable, beside the old ones.
  ATTUNE_RETURN_IF_ERROR(WriteFileAtomic(dir_, kKeyParamsNext, next.Serialize()));
  step(1);
  // Step 2: export everything into attune.db.new under the new key. Uses
  // sqlcipher_export rather than PRAGMA rekey: rekey rewrites pages in place,
  // which SQLCipher 3.4 does not make crash-safe for WAL databases.
  {
    // The handle was opened without SQLITE_OPEN_CREATE (so a missing
    // database is never created by accident); ATTACH inherits that, so the
    // target exists beforehand, empty and private.
    ATTUNE_RETURN_IF_ERROR(CreatePrivateFile(next_path));
    step(2);
    ATTUNE_ASSIGN_OR_RETURN(Statement attach, db_->Prepare("ATTACH DATABASE ?1 AS rekeyed KEY ?2"));
    crypto::SecretBytes spec = RawKeySpec(key);
    attach.Bind(1, next_path);
    attach.BindBlob(2, spec.view());
    ATTUNE_RETURN_IF_ERROR(attach.Run());
  }
  Status exported = db_->Exec("SELECT sqlcipher_export('rekeyed')");
  step(3);
  ATTUNE_RETURN_IF_ERROR(db_->Exec("DETACH DATABASE rekeyed"));
  if (!exported.ok()) {
    (void)ZeroAndRemove(next_path);
    (void)RemoveIfExists(JoinPath(dir_, kKeyParamsNext));
    return exported;
  }
  // Step 3: empty the old WAL and close, so no stale WAL sits beside the
  // new file.
  ATTUNE_RETURN_IF_ERROR(db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  db_->Close();
  step(4);
  ATTUNE_RETURN_IF_ERROR(RemoveIfExists(path + "-wal"));
  ATTUNE_RETURN_IF_ERROR(RemoveIfExists(path + "-shm"));
  step(5);
  // Step 4: the atomic switch. The old file's pages are gone with the inode;
  // they were encrypted under the old key.
  ATTUNE_RETURN_IF_ERROR(RenameDurable(dir_, kDatabaseNext, kDatabaseFileName));
  step(6);
  // Step 5: the new parameters become current.
  ATTUNE_RETURN_IF_ERROR(RenameDurable(dir_, kKeyParamsNext, kKeyParamsFile));
  step(7);
  params_ = next;
  ATTUNE_ASSIGN_OR_RETURN(Database db, OpenKeyed(path, key));
  ATTUNE_RETURN_IF_ERROR(ConfigureConnection(db));
  *db_ = std::move(db);
  return lock_->Downgrade();
}

Status Profile::Wipe(const std::string& dir) {
  if (!Exists(dir)) return MakeError(ErrorCode::kNotFound, "no profile in " + dir);
  ATTUNE_ASSIGN_OR_RETURN(ProfileLock lock, ProfileLock::Acquire(dir, /*exclusive=*/true));
  const std::string db = JoinPath(dir, kDatabaseFileName);
  for (const std::string& f : {db, db + "-wal", db + "-shm", JoinPath(dir, kDatabaseNext),
                               JoinPath(dir, std::string(kDatabaseNext) + "-journal")}) {
    ATTUNE_RETURN_IF_ERROR(ZeroAndRemove(f));
  }
  for (std::string_view f : {kKeyParamsFile, kKeyParamsNext, kAnchorFileName}) {
    ATTUNE_RETURN_IF_ERROR(RemoveIfExists(JoinPath(dir, f)));
    ATTUNE_RETURN_IF_ERROR(RemoveTempFiles(dir, f));
  }
  for (std::string_view f : {kAnchorLockFile, std::string_view("lock")}) {
    ATTUNE_RETURN_IF_ERROR(RemoveIfExists(JoinPath(dir, f)));
  }
  (void)::rmdir(dir.c_str());
  return Status::Ok();
}

}  // namespace attune::client::store
