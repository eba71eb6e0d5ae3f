#include "attune/relay/server/key_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "attune/base/unique_fd.h"

namespace attune::relay {
namespace {

Error IoError(const std::string& what) {
  return MakeError(ErrorCode::kIoError, what + ": " + std::strerror(errno));
}

}  // namespace

std::string KeyFilePath(const std::string& data_dir) { return data_dir + "/" + kKeyFileName; }
std::string DatabasePath(const std::string& data_dir) { return data_dir + "/" + kDatabaseFileName; }

Status EnsureDataDir(const std::string& data_dir) {
  if (::mkdir(data_dir.c_str(), 0700) == 0) return Status::Ok();
  if (errno != EEXIST) return IoError("cannot create data directory " + data_dir);
  struct stat st {};
  if (::stat(data_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument, data_dir + " is not a directory");
  }
  return Status::Ok();
}

Result<int> LockDataDir(const std::string& data_dir) {
  const std::string path = data_dir + "/relay.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot open " + path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const bool busy = errno == EWOULDBLOCK;
    ::close(fd);
    if (busy) {
      return MakeError(ErrorCode::kAlreadyExists,
                       "another attune-relay is already serving " + data_dir);
    }
    return IoError("cannot lock " + path);
  }
  return fd;
}

Status WriteNewKeyFile(const std::string& path, const crypto::X25519KeyPair& key) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) {
      return MakeError(ErrorCode::kAlreadyExists, path + " exists; refusing to overwrite the key");
    }
    return IoError("cannot create " + path);
  }
  const uint8_t* p = key.private_key.data();
  size_t left = key.private_key.size();
  while (left > 0) {
    ssize_t n = ::write(fd.get(), p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError("cannot write " + path);
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return IoError("cannot sync " + path);
  // The directory entry must be durable too, or a crash could lose the file.
  const size_t slash = path.find_last_of('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() >= 0) ::fsync(dfd.get());
  return Status::Ok();
}

Result<crypto::X25519KeyPair> ReadKeyFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return MakeError(ErrorCode::kNotFound,
                       "no key file " + path + " (run `attune-relay keygen --data-dir DIR`)");
    }
    return IoError("cannot open " + path);
  }
  crypto::SecretArray<crypto::kX25519KeySize> secret;
  size_t got = 0;
  for (;;) {
    uint8_t extra = 0;
    uint8_t* dst = got < secret.size() ? secret.data() + got : &extra;
    size_t want = got < secret.size() ? secret.size() - got : 1;
    ssize_t n = ::read(fd.get(), dst, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read " + path);
    if (n == 0) break;
    got += static_cast<size_t>(n);
    if (got > secret.size()) break;
  }
  if (got != secret.size()) {
    return MakeError(ErrorCode::kInvalidArgument, path + " is not a 32-byte relay key");
  }
  return crypto::X25519KeyPairFromPrivate(secret.span());
}

}  // namespace attune::relay
