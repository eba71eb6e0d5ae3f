#include "attune/therapy/time_zone.h"

#include <cstdio>
#include <cstdlib>

#include "attune/therapy/limits.h"

namespace attune::therapy {

ResolvedTime ResolveLocalTime(const TimeZoneRules& zone, LocalTime local) {
  // The offsets in force a day either side bracket any single transition
  // near this wall time. A candidate instant is real if reading it back in
  // the zone gives the same wall time.
  const int32_t before = zone.OffsetAt(local.seconds - kSecondsPerDay);
  const int32_t after = zone.OffsetAt(local.seconds + kSecondsPerDay);
  const int64_t t_before = local.seconds - before;
  const int64_t t_after = local.seconds - after;
  const bool before_ok = t_before + zone.OffsetAt(t_before) == local.seconds;
  const bool after_ok = t_after + zone.OffsetAt(t_after) == local.seconds;
  if (before_ok && after_ok) {
    if (t_before == t_after) return {t_before, LocalTimeKind::kUnique};
    return {t_before < t_after ? t_before : t_after, LocalTimeKind::kOverlap};
  }
  if (before_ok) return {t_before, LocalTimeKind::kUnique};
  if (after_ok) return {t_after, LocalTimeKind::kUnique};
  // A gap: read with the offset before it, which lands past the gap by the
  // same distance the wall time was into it.
  return {t_before, LocalTimeKind::kGap};
}

Status ValidateTimeZoneName(std::string_view name) {
  auto bad = [&](const char* why) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("invalid time zone name: ") + why);
  };
  if (name.empty()) return bad("empty");
  if (name.size() > kMaxTimeZoneNameBytes) return bad("too long");
  bool component_start = true;
  for (char c : name) {
    if (c == '/') {
      if (component_start) return bad("empty path component");
      component_start = true;
      continue;
    }
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && c != '_' && c != '+' && c != '-') return bad("unexpected character");
    if (component_start && c == '-') return bad("component starts with '-'");
    component_start = false;
  }
  if (component_start) return bad("ends with '/'");
  return Status::Ok();
}

std::string FormatUtcOffset(int32_t offset_seconds) {
  const char sign = offset_seconds < 0 ? '-' : '+';
  const long magnitude = std::labs(static_cast<long>(offset_seconds));
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%c%02ld:%02ld", sign, magnitude / 3600, (magnitude / 60) % 60);
  return buf;
}

}  // namespace attune::therapy
