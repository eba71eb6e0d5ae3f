// A profile: one device's encrypted database plus the files beside it
// (docs/PROTOCOL.md (part client), "Profile directory"):
//
//   <dir>/keyparams       salt and Argon2id limits (key_params.h), not secret
//   <dir>/attune.db       SQLCipher database (+ -wal, -shm while open)
//   <dir>/anchor          rollback anchor: highest write generation seen
//   <dir>/anchor.lock     flock serialising read-modify-write of the anchor
//   <dir>/lock            flock: shared while open, exclusive for passwd/wipe
//
// Concurrency: any number of processes may hold one profile open. SQLite
// serialises writers (BEGIN IMMEDIATE, WAL, a busy timeout with retries);
// the anchor is changed only under anchor.lock; temp files are unique.
//
// Every secret (identity keys, ratchet state, capabilities, plaintext
// history) lives only inside attune.db. Opening never creates or reads an
// unencrypted database: the file must not start with "SQLite format 3"
// before keying, and the key is checked by reading the schema.
//
// A Profile is used by one thread. Several processes may hold the same
// profile open; writers serialise on the database's write lock.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/client/store/database_key.h"
#include "attune/client/store/key_params.h"
#include "attune/client/store/sqlite.h"

namespace attune::client::store {

inline constexpr std::string_view kDatabaseFileName = "attune.db";
inline constexpr std::string_view kAnchorFileName = "anchor";
// 2: message index columns (schema.cc); version 1 profiles are migrated on open.
inline constexpr int kSchemaVersion = 2;
// Steps of ChangePassphrase that after_step reports (docs/PROTOCOL.md (part
// client), section 7).
inline constexpr int kPasswdSteps = 7;

class ProfileLock;

// When Open reads every page to verify it (PRAGMA quick_check: every page's
// HMAC). kDeferred is for a front end that unlocks into a screen at once
// (the desktop app) and runs CheckIntegrity before its first write.
enum class IntegrityCheck { kAtOpen, kDeferred };

class Profile {
 public:
  // Creates <dir> (mode 0700) with fresh key parameters and an empty
  // schema. Fails with kAlreadyExists when a database or keyparams file is
  // already there (nothing is touched).
  static Result<Profile> Create(const std::string& dir, ByteView passphrase, KdfStrength strength,
                                crypto::RandomSource& random);

  // Opens an existing profile. Errors (the files are never modified by a
  // failed open):
  //   kNotFound          no profile in dir
  //   kAuthFailed        wrong passphrase
  //   kInvalidArgument   keyparams malformed, database not an Attune
  //                      database, truncated or corrupted, or unencrypted
  //   kUnsupportedVersion schema or keyparams from a newer Attune
  // On success, a rollback detected through the anchor (see
  // rollback_detected()) has already been recorded in the database.
  static Result<Profile> Open(const std::string& dir, ByteView passphrase);
  // As above; with kDeferred, damage in pages Open does not read is found
  // only by CheckIntegrity (or when a query reads the page).
  static Result<Profile> Open(const std::string& dir, ByteView passphrase, IntegrityCheck check);
  // The full page check that Open runs unless deferred: kInvalidArgument
  // ("corrupted") when any page fails. Reads the whole file.
  Status CheckIntegrity();

  // True when a profile (keyparams or database) exists in dir.
  static bool Exists(const std::string& dir);

  // Re-keys: exports everything into a new database under a new salt and
  // key, then swaps files so that a crash at any point leaves a profile
  // that opens with either the old or the new passphrase (docs/security/
  // client.md). The Profile stays usable with the new key. `after_step`
  // (tests only) is called after each numbered step (1..7,
  // kPasswdSteps), e.g. to crash the process there.
  Status ChangePassphrase(ByteView new_passphrase, crypto::RandomSource& random,
                          const std::function<void(int)>& after_step = {});

  // Deletes every file of the profile in dir (after overwriting the
  // database files with zeros) and the directory if empty. The caller
  // proves knowledge of the passphrase by opening first.
  static Status Wipe(const std::string& dir);

  Database& db() { return *db_; }
  const std::string& dir() const { return dir_; }
  const KeyParams& key_params() const { return params_; }

  // The database's write generation (bumped by every transaction that
  // advances a ratchet) and the rollback check against the anchor file.
  bool rollback_detected() const { return rollback_detected_; }
  // Bumps the generation inside the caller's open transaction and, before
  // returning, raises the anchor file's pending generation (fsync'd, under
  // the anchor lock). An error (e.g. the anchor cannot be written) means the
  // caller must not commit: the transaction rolls back and nothing is sent.
  Result<uint64_t> BumpGeneration();
  // After that transaction committed: records the generation as confirmed.
  // Best effort (see profile.cc); never fails the caller.
  void ConfirmAnchor(uint64_t generation);

  Profile(Profile&&) noexcept;
  Profile& operator=(Profile&&) noexcept;
  ~Profile();

 private:
  Profile() = default;
  std::string dir_{};
  KeyParams params_{};
  std::unique_ptr<ProfileLock> lock_{};
  std::unique_ptr<Database> db_{};
  bool rollback_detected_ = false;
};

}  // namespace attune::client::store
