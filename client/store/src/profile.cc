#include "attune/client/store/profile.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstring>

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
constexpr std::string_view kAnchorMagic = "attune-anchor 1";

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
  ATTUNE_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=ON"));
  // Deleted rows (acked ciphertexts, consumed invitations) are overwritten.
  ATTUNE_RETURN_IF_ERROR(db.Exec("PRAGMA secure_delete=ON"));
  return Status::Ok();
}

// Opens and keys dir/attune.db; verifies the key by reading the schema. No
// write happens unless the key is right and the schema is ours.
Result<Database> OpenKeyed(const std::string& path, const DatabaseKey& key) {
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
  // anywhere is reported now, before anything is written.
  {
    auto check = db.Prepare("PRAGMA quick_check");
    if (!check.ok()) return check.error();
    auto row = check->Step();
    if (!row.ok() || !*row || check->ColumnText(0) != "ok") {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the profile's database file is corrupted (integrity check failed)");
    }
  }
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

Result<uint64_t> ReadAnchor(const std::string& dir) {
  auto text = ReadSmallFile(JoinPath(dir, kAnchorFileName), 128);
  if (!text.ok()) {
    if (text.error().code == ErrorCode::kNotFound) return uint64_t{0};
    return text.error();
  }
  std::string_view t = *text;
  std::string prefix = std::string(kAnchorMagic) + "\n";
  if (!t.starts_with(prefix) || !t.ends_with("\n")) {
    return MakeError(ErrorCode::kInvalidArgument, "the profile's anchor file is malformed");
  }
  std::string_view digits = t.substr(prefix.size(), t.size() - prefix.size() - 1);
  if (digits.empty() || digits.size() > 19) {
    return MakeError(ErrorCode::kInvalidArgument, "the profile's anchor file is malformed");
  }
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return MakeError(ErrorCode::kInvalidArgument, "the profile's anchor file is malformed");
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// Finishes or undoes a passphrase change that a crash interrupted
// (ChangePassphrase documents the order of steps). Returns the keyparams
// valid for the database together with its key.
struct Unlocked {
  KeyParams params{};
  DatabaseKey key{};
};

Result<Unlocked> UnlockWithRecovery(const std::string& dir, ByteView passphrase) {
  const bool next_params = PathExists(JoinPath(dir, kKeyParamsNext));
  if (next_params && PathExists(JoinPath(dir, kDatabaseNext))) {
    // Crashed before the new database replaced the old one: the old
    // passphrase is still the valid one; drop the half-done change.
    ATTUNE_RETURN_IF_ERROR(ZeroAndRemove(JoinPath(dir, kDatabaseNext)));
    ATTUNE_RETURN_IF_ERROR(RemoveIfExists(JoinPath(dir, std::string(kDatabaseNext) + "-journal")));
    ATTUNE_RETURN_IF_ERROR(RemoveIfExists(JoinPath(dir, kKeyParamsNext)));
  } else if (next_params) {
    // Either the swap happened (the new passphrase is valid) or the export
    // had not started (the old one is). The check values tell which
    // passphrase was typed; the database decides which is current.
    ATTUNE_ASSIGN_OR_RETURN(KeyParams next, ReadKeyParams(dir, kKeyParamsNext));
    auto key = DeriveChecked(passphrase, next);
    if (key.ok()) {
      auto db = OpenKeyed(JoinPath(dir, kDatabaseFileName), *key);
      if (db.ok()) {
        db->Close();
        ATTUNE_RETURN_IF_ERROR(RenameDurable(dir, kKeyParamsNext, kKeyParamsFile));
        return Unlocked{std::move(next), std::move(key).value()};
      }
    }
    ATTUNE_RETURN_IF_ERROR(RemoveIfExists(JoinPath(dir, kKeyParamsNext)));
  }
  ATTUNE_ASSIGN_OR_RETURN(KeyParams params, ReadKeyParams(dir, kKeyParamsFile));
  ATTUNE_ASSIGN_OR_RETURN(DatabaseKey key, DeriveChecked(passphrase, params));
  return Unlocked{std::move(params), std::move(key)};
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
  // Refused before any KDF work, so a planted plaintext file costs nothing.
  ATTUNE_RETURN_IF_ERROR(RefusePlaintext(path));
  ATTUNE_ASSIGN_OR_RETURN(Unlocked unlocked, UnlockWithRecovery(dir, passphrase));
  ATTUNE_ASSIGN_OR_RETURN(Database db, OpenKeyed(path, unlocked.key));
  ATTUNE_RETURN_IF_ERROR(ConfigureConnection(db));

  Profile p;
  p.dir_ = dir;
  p.params_ = std::move(unlocked.params);
  p.lock_ = std::make_unique<ProfileLock>(std::move(lock));
  p.db_ = std::make_unique<Database>(std::move(db));

  // Rollback detection: the anchor outlives a database restored from an
  // older copy (docs/security/client.md, "Restoring an old database").
  ATTUNE_ASSIGN_OR_RETURN(uint64_t anchor, ReadAnchor(dir));
  ATTUNE_ASSIGN_OR_RETURN(uint64_t generation, ReadGeneration(*p.db_));
  if (anchor > generation) {
    ATTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*p.db_));
    ATTUNE_RETURN_IF_ERROR(BlockAllContacts(*p.db_, "rollback"));
    ATTUNE_RETURN_IF_ERROR(WriteGeneration(*p.db_, anchor));
    ATTUNE_RETURN_IF_ERROR(tx.Commit());
    p.rollback_detected_ = true;
  }
  return p;
}

Result<uint64_t> Profile::BumpGeneration() {
  ATTUNE_ASSIGN_OR_RETURN(uint64_t g, ReadGeneration(*db_));
  ATTUNE_RETURN_IF_ERROR(WriteGeneration(*db_, g + 1));
  return g + 1;
}

Status Profile::WriteAnchor(uint64_t generation) {
  // Never lower the anchor (another process may have written a higher one).
  auto current = ReadAnchor(dir_);
  if (current.ok() && *current >= generation) return Status::Ok();
  std::string text = std::string(kAnchorMagic) + "\n" + std::to_string(generation) + "\n";
  return WriteFileAtomic(dir_, kAnchorFileName, text);
}

Status Profile::ChangePassphrase(ByteView new_passphrase, crypto::RandomSource& random) {
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
  // Step 2: export everything into attune.db.new under the new key. Uses
  // sqlcipher_export rather than PRAGMA rekey: rekey rewrites pages in place,
  // which SQLCipher 3.4 does not make crash-safe for WAL databases.
  {
    // The handle was opened without SQLITE_OPEN_CREATE (so a missing
    // database is never created by accident); ATTACH inherits that, so the
    // target exists beforehand, empty and private.
    int fd = ::open(next_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return MakeError(ErrorCode::kIoError, "cannot create " + next_path);
    }
    ::close(fd);
    ATTUNE_ASSIGN_OR_RETURN(Statement attach, db_->Prepare("ATTACH DATABASE ?1 AS rekeyed KEY ?2"));
    crypto::SecretBytes spec = RawKeySpec(key);
    attach.Bind(1, next_path);
    attach.BindBlob(2, spec.view());
    ATTUNE_RETURN_IF_ERROR(attach.Run());
  }
  Status exported = db_->Exec("SELECT sqlcipher_export('rekeyed')");
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
  ATTUNE_RETURN_IF_ERROR(RemoveIfExists(path + "-wal"));
  ATTUNE_RETURN_IF_ERROR(RemoveIfExists(path + "-shm"));
  // Step 4: the atomic switch. The old file's pages are gone with the inode;
  // they were encrypted under the old key.
  ATTUNE_RETURN_IF_ERROR(RenameDurable(dir_, kDatabaseNext, kDatabaseFileName));
  // Step 5: the new parameters become current.
  ATTUNE_RETURN_IF_ERROR(RenameDurable(dir_, kKeyParamsNext, kKeyParamsFile));
  params_ = std::move(next);
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
  }
  for (std::string_view f : {"keyparams.tmp", "keyparams.new.tmp", "anchor.tmp", "lock"}) {
    ATTUNE_RETURN_IF_ERROR(RemoveIfExists(JoinPath(dir, f)));
  }
  (void)::rmdir(dir.c_str());
  return Status::Ok();
}

}  // namespace attune::client::store
