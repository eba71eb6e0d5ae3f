#include "passphrase.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace attune::cli {
namespace {

// Reads bytes one at a time into a locked buffer so nothing is read past the
// newline (the same fd may carry a second line) and no copy is left in an
// unlocked buffer.
Result<crypto::SecretBytes> ReadLine(int fd, bool stop_at_newline, std::string_view what) {
  crypto::SecretBytes buf(kMaxSecretLine + 1);
  size_t n = 0;
  while (true) {
    uint8_t c = 0;
    ssize_t r = ::read(fd, &c, 1);
    if (r < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIoError,
                       std::string("cannot read secret: ") + std::strerror(errno));
    }
    if (r == 0) break;
    if (stop_at_newline && c == '\n') break;
    if (n == kMaxSecretLine) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(what) + " is longer than 1024 bytes");
    }
    buf.data()[n++] = c;
  }
  // Trim a trailing CR and, for files, surrounding whitespace.
  size_t start = 0;
  while (n > 0 && (buf.data()[n - 1] == '\r' ||
                   (!stop_at_newline && (buf.data()[n - 1] == '\n' || buf.data()[n - 1] == ' ' ||
                                         buf.data()[n - 1] == '\t')))) {
    --n;
  }
  while (!stop_at_newline && start < n &&
         (buf.data()[start] == ' ' || buf.data()[start] == '\t' || buf.data()[start] == '\n')) {
    ++start;
  }
  if (n <= start) return MakeError(ErrorCode::kInvalidArgument, std::string(what) + " is empty");
  return crypto::SecretBytes(ByteView(buf.data() + start, n - start));
}

}  // namespace

Result<crypto::SecretBytes> ReadSecretLineFromFd(int fd, std::string_view what) {
  return ReadLine(fd, true, what);
}

Result<crypto::SecretBytes> ReadSecretFile(const std::string& path, std::string_view what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return MakeError(ErrorCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
  }
  auto r = ReadLine(fd, false, what);
  ::close(fd);
  return r;
}

Result<crypto::SecretBytes> PromptSecret(std::string_view prompt, std::string_view what) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return MakeError(ErrorCode::kNotFound,
                     "no terminal to ask for the passphrase (use --passphrase-fd or "
                     "ATTUNE_PASSPHRASE)");
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  termios saved{};
  bool restore = ::tcgetattr(fd, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  auto r = ReadLine(fd, true, what);
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &saved);
  ::close(fd);
  return r;
}

}  // namespace attune::cli
