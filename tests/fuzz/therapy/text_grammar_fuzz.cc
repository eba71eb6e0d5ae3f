// The small text grammars a peer or a user controls: cadences, office-hours
// windows and POSIX TZ strings. Properties: a parsed cadence prints a
// canonical form that parses back equal; parsed windows format and parse
// back to the same windows; a parsed TZ string answers OffsetAt.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "attune/client/therapy/posix_tz.h"
#include "attune/therapy/office_hours.h"
#include "attune/therapy/schedule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto c = attune::therapy::Cadence::Parse(text); c.ok()) {
    auto again = attune::therapy::Cadence::Parse(c->ToString());
    if (!again.ok() || !(*again == *c)) std::abort();
    const attune::therapy::FixedOffsetZone utc(0);
    const int64_t next = c->NextOccurrence(utc, 1'800'000'000);
    if (next <= 1'800'000'000 || next > 1'800'000'000 + 8 * 86400) std::abort();
  }
  if (auto w = attune::therapy::OfficeHours::ParseWindows(text); w.ok()) {
    auto hours = attune::therapy::OfficeHours::Create(*w, "UTC", 0, "", "");
    if (hours.ok()) {
      auto again = attune::therapy::OfficeHours::ParseWindows(
          attune::therapy::OfficeHours::FormatWindows(hours->windows()));
      if (!again.ok()) std::abort();
      auto rebuilt = attune::therapy::OfficeHours::Create(*again, "UTC", 0, "", "");
      if (!rebuilt.ok() || !(rebuilt->windows() == hours->windows())) std::abort();
    }
  }
  if (auto tz = attune::therapy::PosixTimeZone::Parse(text); tz.ok()) {
    (void)tz->OffsetAt(1'800'000'000);
    (void)tz->OffsetAt(-1'800'000'000);
  }
  return 0;
}
