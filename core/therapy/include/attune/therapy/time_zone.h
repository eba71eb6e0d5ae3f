// Time zones, injected. core/ reads no files, so the zone database is behind
// this interface: client/therapy implements it from /usr/share/zoneinfo
// (TZif, RFC 8536) and tests use FixedOffsetZone or that reader.
//
// Converting a wall-clock time to an instant needs a rule for the hours that
// DST removes (a gap) or repeats (an overlap). Attune's rule, used by
// schedules and office hours (docs/design/therapy.md, "Daylight saving"):
//   * gap: the wall time is read with the offset in force before the gap, so
//     02:30 on a spring-forward night in New York becomes 03:30 EDT (the
//     same instant 02:30 EST would be) — the reminder comes, shifted by the
//     length of the gap, never skipped;
//   * overlap: the earlier of the two instants (the first 01:30 on a
//     fall-back night) — the reminder comes once, at the first occurrence.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "attune/base/result.h"
#include "attune/therapy/civil_time.h"

namespace attune::therapy {

// Thread-safe for concurrent const use by all implementations in Attune.
class TimeZoneRules {
 public:
  virtual ~TimeZoneRules() = default;
  // The IANA name ("Europe/Berlin") or a description for fixed offsets.
  virtual std::string_view name() const = 0;
  // Seconds east of UTC in force at the instant utc (unix seconds).
  virtual int32_t OffsetAt(int64_t utc) const = 0;
};

// A zone with one fixed offset, e.g. UTC. No DST.
class FixedOffsetZone final : public TimeZoneRules {
 public:
  explicit FixedOffsetZone(int32_t offset_seconds, std::string name = "UTC")
      : offset_(offset_seconds), name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  int32_t OffsetAt(int64_t) const override { return offset_; }

 private:
  int32_t offset_ = 0;
  std::string name_{};
};

inline LocalTime ToLocal(const TimeZoneRules& zone, int64_t utc) {
  return LocalTime{utc + zone.OffsetAt(utc)};
}

// How a wall-clock time mapped to an instant.
enum class LocalTimeKind : uint8_t {
  kUnique,   // exactly one instant shows this wall time
  kGap,      // no instant does (skipped by DST); shifted forward
  kOverlap,  // two instants do; the earlier was chosen
};

struct ResolvedTime {
  int64_t utc = 0;
  LocalTimeKind kind{};
};

// Applies the gap/overlap rule above. Assumes at most one offset change
// within a day either side of local, which holds for every IANA zone.
ResolvedTime ResolveLocalTime(const TimeZoneRules& zone, LocalTime local);

// Checks an IANA zone name's shape before anything uses it as a path:
// 1..kMaxTimeZoneNameBytes bytes of [A-Za-z0-9_+-] in '/'-separated
// components, none empty, none starting with '.' or '-'. So "../etc/passwd",
// "/etc/passwd", "a//b" and "." are all refused (kInvalidArgument).
Status ValidateTimeZoneName(std::string_view name);

// "+05:30", "-04:00", "+00:00".
std::string FormatUtcOffset(int32_t offset_seconds);

}  // namespace attune::therapy
