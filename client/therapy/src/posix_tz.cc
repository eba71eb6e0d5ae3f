#include "attune/client/therapy/posix_tz.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "attune/therapy/civil_time.h"

namespace attune::therapy {
namespace {

constexpr int32_t kMaxRuleHours = 167;  // RFC 8536 section 3.3.1

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  bool Consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  // Digits as an integer; nullopt if none or too many.
  std::optional<int32_t> Number(size_t max_digits) {
    size_t n = 0;
    int32_t v = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(peek()))) {
      if (++n > max_digits) return std::nullopt;
      v = v * 10 + (text_[pos_++] - '0');
    }
    if (n == 0) return std::nullopt;
    return v;
  }
  // A zone abbreviation: 3+ letters, or <...> of [A-Za-z0-9+-].
  bool Name() {
    if (Consume('<')) {
      size_t n = 0;
      while (!done() && peek() != '>') {
        const char c = text_[pos_++];
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-') return false;
        ++n;
      }
      return Consume('>') && n >= 3;
    }
    size_t n = 0;
    while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) {
      ++pos_;
      ++n;
    }
    return n >= 3;
  }
  // [+-]hh[:mm[:ss]], hours up to max_hours. Returns signed seconds.
  std::optional<int32_t> Time(int32_t max_hours) {
    int32_t sign = 1;
    if (Consume('-')) {
      sign = -1;
    } else {
      Consume('+');
    }
    std::optional<int32_t> h = Number(3);
    if (!h || *h > max_hours) return std::nullopt;
    int32_t total = *h * 3600;
    if (Consume(':')) {
      std::optional<int32_t> m = Number(2);
      if (!m || *m > 59) return std::nullopt;
      total += *m * 60;
      if (Consume(':')) {
        std::optional<int32_t> s = Number(2);
        if (!s || *s > 59) return std::nullopt;
        total += *s;
      }
    }
    return sign * total;
  }

 private:
  std::string_view text_{};
  size_t pos_ = 0;
};

Error BadTz(const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument, "bad TZ string: " + why);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

uint32_t DaysInMonth(int64_t y, int32_t m) {
  static constexpr std::array<uint32_t, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[static_cast<size_t>(m - 1)];
}

}  // namespace

int64_t PosixTimeZone::Rule::InstantIn(int64_t year, int32_t offset) const {
  const int64_t jan1 = DaysFromCivil(CivilDate{year, 1, 1});
  int64_t day = 0;
  switch (kind) {
    case Kind::kJulian1:
      // Day 1..365; February 29 is never counted.
      day = jan1 + this->day - 1 + ((IsLeap(year) && this->day >= 60) ? 1 : 0);
      break;
    case Kind::kJulian0:
      day = jan1 + this->day;
      break;
    case Kind::kMonthWeekDay: {
      const int64_t first = DaysFromCivil(CivilDate{year, static_cast<uint32_t>(month), 1});
      const int32_t first_wday = static_cast<int32_t>(WeekdayFromDays(first)) % 7;  // 0 = Sun
      int64_t d = first + (this->day - first_wday + 7) % 7 + int64_t{7} * (week - 1);
      const int64_t last = first + DaysInMonth(year, month) - 1;
      while (d > last) d -= 7;  // week 5 means the last such weekday
      day = d;
      break;
    }
  }
  return day * kSecondsPerDay + time - offset;
}

Result<PosixTimeZone> PosixTimeZone::Parse(std::string_view text) {
  if (text.size() > 128) return BadTz("too long");
  Cursor c(text);
  PosixTimeZone tz;
  if (!c.Name()) return BadTz("missing standard time name");
  std::optional<int32_t> std_west = c.Time(24);
  if (!std_west) return BadTz("missing or invalid standard offset");
  tz.std_offset_ = -*std_west;
  if (c.done()) return tz;

  if (!c.Name()) return BadTz("invalid daylight time name");
  Dst dst{tz.std_offset_ + 3600, {}, {}};
  if (!c.done() && c.peek() != ',') {
    std::optional<int32_t> dst_west = c.Time(24);
    if (!dst_west) return BadTz("invalid daylight offset");
    dst.offset = -*dst_west;
  }
  // Without rules POSIX leaves the dates implementation-defined; TZif
  // footers always carry them, so require them.
  Rule* rules[2] = {&dst.start, &dst.end};
  for (Rule* rule : rules) {
    if (!c.Consume(',')) return BadTz("missing daylight saving rule");
    if (c.Consume('M')) {
      std::optional<int32_t> m = c.Number(2);
      if (!m || *m < 1 || *m > 12 || !c.Consume('.')) return BadTz("invalid month in rule");
      std::optional<int32_t> w = c.Number(1);
      if (!w || *w < 1 || *w > 5 || !c.Consume('.')) return BadTz("invalid week in rule");
      std::optional<int32_t> d = c.Number(1);
      if (!d || *d > 6) return BadTz("invalid weekday in rule");
      *rule = Rule{Rule::Kind::kMonthWeekDay, *d, *m, *w, 7200};
    } else if (c.Consume('J')) {
      std::optional<int32_t> n = c.Number(3);
      if (!n || *n < 1 || *n > 365) return BadTz("invalid Julian day in rule");
      *rule = Rule{Rule::Kind::kJulian1, *n, 0, 0, 7200};
    } else {
      std::optional<int32_t> n = c.Number(3);
      if (!n || *n > 365) return BadTz("invalid day in rule");
      *rule = Rule{Rule::Kind::kJulian0, *n, 0, 0, 7200};
    }
    if (c.Consume('/')) {
      std::optional<int32_t> t = c.Time(kMaxRuleHours);
      if (!t) return BadTz("invalid rule time");
      rule->time = *t;
    }
  }
  if (!c.done()) return BadTz("trailing characters");
  tz.dst_ = dst;
  return tz;
}

int32_t PosixTimeZone::OffsetAt(int64_t utc) const {
  if (!dst_) return std_offset_;
  // Transitions of the surrounding years, in order; the last one at or
  // before utc decides. Handles southern-hemisphere rules (start after end
  // within a year) and rules that wrap the year end.
  const int64_t year = CivilFromDays(FloorDiv(utc + std_offset_, kSecondsPerDay)).year;
  std::array<std::pair<int64_t, int32_t>, 6> changes;
  size_t n = 0;
  for (int64_t y = year - 1; y <= year + 1; ++y) {
    changes[n++] = {dst_->start.InstantIn(y, std_offset_), dst_->offset};
    changes[n++] = {dst_->end.InstantIn(y, dst_->offset), std_offset_};
  }
  std::sort(changes.begin(), changes.end());
  int32_t offset = changes[0].second == std_offset_ ? dst_->offset : std_offset_;
  for (const auto& [at, new_offset] : changes) {
    if (at <= utc) offset = new_offset;
  }
  return offset;
}

}  // namespace attune::therapy
