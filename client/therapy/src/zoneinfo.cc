// Loading zones from the system zoneinfo directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "attune/client/therapy/tzif.h"

namespace attune::therapy {
namespace {

// Reads a regular file of at most max_bytes.
Result<Bytes> ReadSmallFile(const std::string& path, size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return MakeError(ErrorCode::kNotFound, "unknown time zone");
    }
    return MakeError(ErrorCode::kIoError, "cannot open time zone file");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return MakeError(ErrorCode::kNotFound, "unknown time zone (not a zone file)");
  }
  Bytes data(max_bytes + 1);
  size_t got = 0;
  while (got < data.size()) {
    const ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return MakeError(ErrorCode::kIoError, "cannot read time zone file");
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > max_bytes) return MakeError(ErrorCode::kInvalidArgument, "time zone file too large");
  data.resize(got);
  return data;
}

}  // namespace

Result<std::unique_ptr<TimeZoneRules>> LoadTimeZone(std::string_view name,
                                                    std::string_view zoneinfo_dir) {
  ATTUNE_RETURN_IF_ERROR(ValidateTimeZoneName(name));
  const std::string path = std::string(zoneinfo_dir) + "/" + std::string(name);
  ATTUNE_ASSIGN_OR_RETURN(Bytes data, ReadSmallFile(path, kMaxTzifBytes));
  auto zone = TzifZone::Parse(std::string(name), data);
  if (!zone.ok()) {
    return MakeError(zone.error().code, std::string(name) + ": " + zone.error().message);
  }
  return std::unique_ptr<TimeZoneRules>(std::move(zone).value());
}

std::string LocalTimeZoneName() {
  if (const char* tz = std::getenv("TZ"); tz != nullptr) {
    std::string_view v(tz);
    if (!v.empty() && v.front() == ':') v.remove_prefix(1);
    if (ValidateTimeZoneName(v).ok()) return std::string(v);
  }
  std::error_code ec;
  const std::filesystem::path target = std::filesystem::read_symlink("/etc/localtime", ec);
  if (!ec) {
    const std::string s = target.string();
    const size_t at = s.find("zoneinfo/");
    if (at != std::string::npos) {
      std::string name = s.substr(at + 9);
      if (ValidateTimeZoneName(name).ok()) return name;
    }
  }
  std::ifstream in("/etc/timezone");
  std::string line;
  if (in && std::getline(in, line) && ValidateTimeZoneName(line).ok()) return line;
  return "UTC";
}

}  // namespace attune::therapy
