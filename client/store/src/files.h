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

// Writes path.tmp, fsyncs it, renames over path and fsyncs the directory:
// after a crash the file holds either the old or the new content.
Status WriteFileAtomic(const std::string& dir, std::string_view name, std::string_view content);

Status RenameDurable(const std::string& dir, std::string_view from, std::string_view to);
Status RemoveIfExists(const std::string& path);
// Overwrites a file's bytes with zeros (fsync'd) before unlinking it.
Status ZeroAndRemove(const std::string& path);
Status MakeDirPrivate(const std::string& dir);

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
