#include "files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace attune::client::store {
namespace {

Error IoError(std::string_view what, std::string_view name) {
  std::string msg(what);
  msg += " ";
  msg += name;
  msg += ": ";
  msg += std::strerror(errno);
  return MakeError(ErrorCode::kIoError, std::move(msg));
}

Status WriteAll(int fd, const uint8_t* p, size_t n, std::string_view name) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", name);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

}  // namespace

std::string JoinPath(const std::string& dir, std::string_view name) {
  std::string p = dir;
  if (!p.empty() && p.back() != '/') p += '/';
  p += name;
  return p;
}

bool PathExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return MakeError(ErrorCode::kNotFound, "missing file " + path);
    return IoError("cannot open", path);
  }
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      Error e = IoError("cannot read", path);
      ::close(fd);
      return e;
    }
    if (r == 0) break;
    out.append(buf, static_cast<size_t>(r));
    if (out.size() > max_size) {
      ::close(fd);
      return MakeError(ErrorCode::kInvalidArgument, "file too large: " + path);
    }
  }
  ::close(fd);
  return out;
}

Result<Bytes> ReadPrefix(const std::string& path, size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", path);
  Bytes out(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, out.data() + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

Result<uint64_t> FileSize(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return IoError("cannot stat", path);
  return static_cast<uint64_t>(st.st_size);
}

static Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("cannot sync directory", dir);
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& dir, std::string_view name, std::string_view content) {
  std::string tmp = JoinPath(dir, std::string(name) + ".tmp.XXXXXX");
  // mkstemp: a name no other writer uses, created O_EXCL with mode 0600.
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return IoError("cannot create a temporary file for", name);
  Status s = WriteAll(fd, reinterpret_cast<const uint8_t*>(content.data()), content.size(), tmp);
  if (s.ok() && ::fsync(fd) != 0) s = IoError("cannot sync", tmp);
  ::close(fd);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), JoinPath(dir, name).c_str()) != 0) {
    Error e = IoError("cannot rename", tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  return FsyncDir(dir);
}

Status RemoveTempFiles(const std::string& dir, std::string_view name) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Status::Ok();
    return IoError("cannot list", dir);
  }
  const std::string prefix = std::string(name) + ".tmp";
  std::vector<std::string> found;
  while (const dirent* e = ::readdir(d)) {
    std::string_view n(e->d_name);
    // "<name>.tmp" (older versions) and "<name>.tmp.XXXXXX".
    if (n == prefix || (n.starts_with(prefix + ".") && n.size() == prefix.size() + 7)) {
      found.emplace_back(n);
    }
  }
  ::closedir(d);
  for (const std::string& f : found) ATTUNE_RETURN_IF_ERROR(RemoveIfExists(JoinPath(dir, f)));
  return Status::Ok();
}

Status RenameDurable(const std::string& dir, std::string_view from, std::string_view to) {
  if (::rename(JoinPath(dir, from).c_str(), JoinPath(dir, to).c_str()) != 0) {
    return IoError("cannot rename", from);
  }
  return FsyncDir(dir);
}

Status RemoveIfExists(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("cannot remove", path);
  return Status::Ok();
}

Status ZeroAndRemove(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::Ok();
    return IoError("cannot open", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0) {
    static const uint8_t kZeros[65536] = {};
    uint64_t left = static_cast<uint64_t>(st.st_size);
    while (left > 0) {
      size_t n = left < sizeof kZeros ? static_cast<size_t>(left) : sizeof kZeros;
      if (!WriteAll(fd, kZeros, n, path).ok()) break;
      left -= n;
    }
    (void)::fsync(fd);
  }
  ::close(fd);
  return RemoveIfExists(path);
}

Status CreatePrivateFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", path);
  ::close(fd);
  return Status::Ok();
}

Status MakeFilePrivate(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return IoError("cannot stat", path);
  }
  if ((st.st_mode & 0077) != 0 && ::chmod(path.c_str(), st.st_mode & 0700) != 0) {
    return IoError("cannot make private", path);
  }
  return Status::Ok();
}

Status MakeDirPrivate(const std::string& dir) {
  // Creates missing parents too (like mkdir -p); only the last one is 0700.
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos == dir.size() || dir[pos] == '/') {
      std::string part = dir.substr(0, pos);
      if (::mkdir(part.c_str(), pos == dir.size() ? 0700 : 0755) != 0 && errno != EEXIST) {
        return IoError("cannot create directory", part);
      }
    }
  }
  return Status::Ok();
}

Result<FileLock> FileLock::Exclusive(const std::string& dir, std::string_view name) {
  std::string path = JoinPath(dir, name);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot open", path);
  FileLock lock(fd);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) return IoError("cannot lock", path);
  }
  return lock;
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

Result<ProfileLock> ProfileLock::Acquire(const std::string& dir, bool exclusive) {
  std::string path = JoinPath(dir, "lock");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot open", path);
  ProfileLock lock(fd);
  if (::flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    return MakeError(ErrorCode::kIoError,
                     exclusive ? "the profile is in use by another attune process"
                               : "the profile is locked by another attune process (passwd/wipe)");
  }
  return lock;
}

ProfileLock::ProfileLock(ProfileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
ProfileLock& ProfileLock::operator=(ProfileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}
ProfileLock::~ProfileLock() {
  if (fd_ >= 0) ::close(fd_);
}

Status ProfileLock::Upgrade() {
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    return MakeError(ErrorCode::kIoError, "the profile is in use by another attune process");
  }
  return Status::Ok();
}
Status ProfileLock::Downgrade() {
  (void)::flock(fd_, LOCK_SH | LOCK_NB);
  return Status::Ok();
}

}  // namespace attune::client::store
