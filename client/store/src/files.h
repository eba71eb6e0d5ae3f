// Small POSIX file helpers for the profile directory. Nothing here handles
// secrets: the files written this way (keyparams, anchor) hold none.
#pragma once

#include <optional>
#include <string>

#include "attune/base/bytes.h"
#include "attune/base/result.h"

namespace attune::client::store {

std::string JoinPath(const std::string& dir, std::string_view name);
bool PathExists(const std::string& path);

// Reads a whole file of at most max_size bytes. kNotFound when missing,
// kInvalidArgument when larger.
Result<std::string> ReadSmallFile(const std::string& path, size_t max_size);

// The first n bytes (fewer if the file is shorter).
Result<Bytes> ReadPrefix(const std::string& path, size_t n);
Result<uint64_t> FileSize(const std::string& path);

// Writes a fresh, uniquely named temp file (<name>.tmp.XXXXXX, mode 0600),
// fsyncs it, renames it over <dir>/<name> and fsyncs the directory: after a
// crash the file holds either the old or the new content. Concurrent writers
// never share a temp file; the last rename wins (callers that merge, such as
// the anchor, hold a FileLock around read-modify-write).
Status WriteFileAtomic(const std::string& dir, std::string_view name, std::string_view content);
// Removes temp files WriteFileAtomic left behind after a crash
// (<dir>/<name>.tmp.*).
Status RemoveTempFiles(const std::string& dir, std::string_view name);

Status RenameDurable(const std::string& dir, std::string_view from, std::string_view to);
Status RemoveIfExists(const std::string& path);
// Overwrites a file's bytes with zeros (fsync'd) before unlinking it.
Status ZeroAndRemove(const std::string& path);
Status MakeDirPrivate(const std::string& dir);
// Creates an empty file with mode 0600 (fails if it exists).
Status CreatePrivateFile(const std::string& path);
// chmod 0600 when the file exists and its mode allows more.
Status MakeFilePrivate(const std::string& path);

// A blocking, exclusive flock on <dir>/<name>, held for the life of the
// object. Used to serialise short read-modify-write sequences on a file
// between processes (the rollback anchor). A separate lock file from
// ProfileLock's: flock locks belong to the open file description, so one
// process holding <dir>/lock shared could not also take it exclusively.
class FileLock {
 public:
  static Result<FileLock> Exclusive(const std::string& dir, std::string_view name);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// An advisory lock on <dir>/lock held for the life of the object: shared
// by every process using the profile, exclusive for passwd and wipe.
class ProfileLock {
 public:
  static Result<ProfileLock> Acquire(const std::string& dir, bool exclusive);
  ProfileLock(ProfileLock&& other) noexcept;
  ProfileLock& operator=(ProfileLock&& other) noexcept;
  ~ProfileLock();
  // Upgrades a shared lock to exclusive without blocking.
  Status Upgrade();
  Status Downgrade();

 private:
  explicit ProfileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace attune::client::store
