// TimeZoneRules from TZif files (RFC 8536), the format of
// /usr/share/zoneinfo. GCC 12 has no std::chrono time-zone database, and
// core/ reads no files, so this is Attune's zone database.
//
// The parser is strict: every count and index is checked against the
// file's size and the RFC's constraints before use, trailing bytes are
// refused, and the footer TZ string must parse (it decides offsets after
// the last transition). Leap-second ("right/") files are refused.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/client/therapy/posix_tz.h"
#include "attune/therapy/time_zone.h"

namespace attune::therapy {

inline constexpr size_t kMaxTzifBytes = size_t{256} * 1024;
inline constexpr uint32_t kMaxTzifTransitions = 8192;
inline constexpr std::string_view kDefaultZoneinfoDir = "/usr/share/zoneinfo";

// Immutable after parsing; safe for concurrent const use.
class TzifZone final : public TimeZoneRules {
 public:
  // kInvalidArgument naming the defect: bad magic or version, counts that
  // break RFC 8536 section 3.1 or exceed the bounds above, unsorted
  // transitions, an index out of range, an offset outside
  // -89999..93599 s, leap-second records, a bad footer, trailing bytes.
  static Result<std::unique_ptr<TzifZone>> Parse(std::string name, ByteView data);

  std::string_view name() const override { return name_; }
  int32_t OffsetAt(int64_t utc) const override;

  size_t transition_count() const { return transitions_.size(); }
  int version() const { return version_; }

 private:
  TzifZone() = default;

  std::string name_{};
  int version_ = 0;  // 1, 2, 3 or 4
  std::vector<int64_t> transitions_{};
  std::vector<uint8_t> transition_types_{};
  std::vector<int32_t> type_offsets_{};
  std::optional<PosixTimeZone> footer_{};
};

// Loads zoneinfo_dir/NAME after ValidateTimeZoneName(name), reading at most
// kMaxTzifBytes. kInvalidArgument for a bad name or file, kNotFound if no
// such zone, kIoError if it cannot be read.
Result<std::unique_ptr<TimeZoneRules>> LoadTimeZone(
    std::string_view name, std::string_view zoneinfo_dir = kDefaultZoneinfoDir);

// The device's zone name: $TZ (if a plain zone name, optionally with a
// leading ':'), else the /etc/localtime link target under the zoneinfo
// directory, else /etc/timezone, else "UTC".
std::string LocalTimeZoneName();

}  // namespace attune::therapy
