// The TZif reader: agreement with glibc over many zones and decades, the
// footer rule for the far future, v1 files, and strict rejection of
// malformed files.
#include "attune/client/therapy/tzif.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>

#include "attune/client/therapy/posix_tz.h"
#include "test_time.h"

namespace attune::therapy {
namespace {

using testing::Utc;

Bytes ReadZoneFile(const std::string& name) {
  std::ifstream in(std::string(kDefaultZoneinfoDir) + "/" + name, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// glibc's own answer for comparison.
long GlibcOffset(const std::string& zone, int64_t t) {
  setenv("TZ", (":" + zone).c_str(), 1);
  tzset();
  const time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  localtime_r(&tt, &tm);
  return tm.tm_gmtoff;
}

TEST(Tzif, AgreesWithGlibcAcrossZonesAndDecades) {
  ATTUNE_REQUIRE_ZONE(probe, "America/New_York");
  const char* zones[] = {"America/New_York",    "Europe/Berlin",     "Europe/London",
                         "Australia/Sydney",    "Pacific/Auckland",  "Asia/Kolkata",
                         "Asia/Tehran",         "America/Sao_Paulo", "Africa/Casablanca",
                         "Australia/Lord_Howe", "America/St_Johns",  "UTC",
                         "Pacific/Chatham",     "America/Santiago",  "Asia/Gaza"};
  const char* saved = std::getenv("TZ");
  const std::string saved_tz = saved != nullptr ? saved : "";
  for (const char* name : zones) {
    auto zone = LoadTimeZone(name);
    ASSERT_TRUE(zone.ok()) << name << ": " << zone.error().message;
    // Every ~3.3 days from 1960 to 2045: past the last listed transition
    // (footer rules) and before 1970 (negative times).
    int64_t mismatches = 0;
    for (int64_t t = Utc(1960, 1, 1); t < Utc(2045, 1, 1); t += 287'000) {
      if ((*zone)->OffsetAt(t) != GlibcOffset(name, t)) ++mismatches;
    }
    EXPECT_EQ(mismatches, 0) << name;
  }
  if (saved != nullptr) {
    setenv("TZ", saved_tz.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(Tzif, KnownOffsetsIncludingFarFuture) {
  ATTUNE_REQUIRE_ZONE(ny, "America/New_York");
  EXPECT_EQ(ny->OffsetAt(Utc(2026, 1, 15)), -5 * 3600);
  EXPECT_EQ(ny->OffsetAt(Utc(2026, 7, 1)), -4 * 3600);
  // Far past the file's transitions: only the footer TZ string knows.
  EXPECT_EQ(ny->OffsetAt(Utc(2100, 7, 1)), -4 * 3600);
  EXPECT_EQ(ny->OffsetAt(Utc(2100, 12, 1)), -5 * 3600);
  // Before the first transition: local mean time (-4:56:02).
  EXPECT_EQ(ny->OffsetAt(Utc(1800, 1, 1)), -17762);
  ATTUNE_REQUIRE_ZONE(kolkata, "Asia/Kolkata");
  EXPECT_EQ(kolkata->OffsetAt(Utc(2030, 1, 1)), 19800);
}

TEST(Tzif, LoadRefusesBadNamesAndMissingZones) {
  EXPECT_EQ(LoadTimeZone("../../etc/passwd").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(LoadTimeZone("/etc/passwd").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(LoadTimeZone("Nowhere/Atlantis").error().code, ErrorCode::kNotFound);
  ATTUNE_REQUIRE_ZONE(probe, "America/New_York");
  EXPECT_EQ(LoadTimeZone("America").error().code, ErrorCode::kNotFound);  // a directory
  // Files beside the zones: refused by name, or as not TZif.
  EXPECT_EQ(LoadTimeZone("zone1970.tab").error().code, ErrorCode::kInvalidArgument);
  if (auto leap = LoadTimeZone("leapseconds"); !leap.ok()) {
    EXPECT_EQ(leap.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(leap.error().message.find("magic"), std::string::npos);
  }
}

// ---- synthetic files ----

struct TzifSpec {
  char version = '2';
  std::vector<int64_t> times{};
  std::vector<uint8_t> indices{};
  std::vector<int32_t> offsets = {-18000};
  std::string chars = "EST";
  uint32_t leapcnt = 0;
  std::string footer = "EST5";
};

void Header(Bytes& out, char version, uint32_t timecnt, uint32_t typecnt, uint32_t charcnt,
            uint32_t leapcnt) {
  Append(out, std::string_view("TZif"));
  out.push_back(static_cast<uint8_t>(version));
  out.insert(out.end(), 15, 0);
  AppendU32BE(out, 0);  // isutcnt
  AppendU32BE(out, 0);  // isstdcnt
  AppendU32BE(out, leapcnt);
  AppendU32BE(out, timecnt);
  AppendU32BE(out, typecnt);
  AppendU32BE(out, charcnt);
}

void Block(Bytes& out, const TzifSpec& s, bool wide) {
  for (int64_t t : s.times) {
    if (wide) {
      AppendU64BE(out, static_cast<uint64_t>(t));
    } else {
      AppendU32BE(out, static_cast<uint32_t>(static_cast<int32_t>(t)));
    }
  }
  out.insert(out.end(), s.indices.begin(), s.indices.end());
  for (int32_t o : s.offsets) {
    AppendU32BE(out, static_cast<uint32_t>(o));
    out.push_back(0);
    out.push_back(0);
  }
  Append(out, std::string_view(s.chars.data(), s.chars.size() + 1));  // with NUL
  for (uint32_t i = 0; i < s.leapcnt; ++i) {
    if (wide) {
      AppendU64BE(out, 0);
    } else {
      AppendU32BE(out, 0);
    }
    AppendU32BE(out, 0);
  }
}

Bytes Build(const TzifSpec& s) {
  Bytes out;
  const auto timecnt = static_cast<uint32_t>(s.times.size());
  const auto typecnt = static_cast<uint32_t>(s.offsets.size());
  const auto charcnt = static_cast<uint32_t>(s.chars.size() + 1);
  Header(out, s.version, timecnt, typecnt, charcnt, s.leapcnt);
  Block(out, s, false);
  if (s.version != '\0') {
    Header(out, s.version, timecnt, typecnt, charcnt, s.leapcnt);
    Block(out, s, true);
    Append(out, "\n" + s.footer + "\n");
  }
  return out;
}

TzifSpec TwoTypes() {
  TzifSpec s;
  s.times = {0, 1000000};
  s.indices = {1, 0};
  s.offsets = {-18000, -14400};
  s.chars = std::string("EST\0EDT", 7);
  s.footer = "EST5EDT,M3.2.0,M11.1.0";
  return s;
}

TEST(Tzif, ParsesSyntheticV1AndV2) {
  TzifSpec v1 = TwoTypes();
  v1.version = '\0';
  auto z1 = TzifZone::Parse("Test/V1", Build(v1));
  ASSERT_TRUE(z1.ok()) << z1.error().message;
  EXPECT_EQ((*z1)->version(), 1);
  EXPECT_EQ((*z1)->OffsetAt(-1), -18000);  // before first: type 0
  EXPECT_EQ((*z1)->OffsetAt(0), -14400);
  EXPECT_EQ((*z1)->OffsetAt(999999), -14400);
  EXPECT_EQ((*z1)->OffsetAt(1000000), -18000);
  EXPECT_EQ((*z1)->OffsetAt(Utc(2030, 7, 1)), -18000);  // v1: no footer, last type holds

  auto z2 = TzifZone::Parse("Test/V2", Build(TwoTypes()));
  ASSERT_TRUE(z2.ok()) << z2.error().message;
  EXPECT_EQ((*z2)->version(), 2);
  EXPECT_EQ((*z2)->OffsetAt(Utc(2030, 7, 1)), -14400);  // footer rule: summer
  EXPECT_EQ((*z2)->OffsetAt(Utc(2030, 1, 1)), -18000);
}

void ExpectRejected(const Bytes& data, const std::string& why_part) {
  auto z = TzifZone::Parse("Test/Bad", data);
  ASSERT_FALSE(z.ok()) << "accepted a file with " << why_part;
  EXPECT_EQ(z.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(z.error().message.find(why_part), std::string::npos) << z.error().message;
}

TEST(Tzif, RejectsMalformedFiles) {
  const Bytes good = Build(TwoTypes());
  ASSERT_TRUE(TzifZone::Parse("Test/Good", good).ok());

  Bytes bad = good;
  bad[0] = 'X';
  ExpectRejected(bad, "magic");
  bad = good;
  bad[4] = '9';
  ExpectRejected(bad, "version");
  bad = good;
  bad.push_back('x');
  ExpectRejected(bad, "trailing");

  TzifSpec s = TwoTypes();
  s.times = {1000000, 0};  // not ascending
  ExpectRejected(Build(s), "ascending");
  s = TwoTypes();
  s.indices = {1, 2};  // type 2 of 2
  ExpectRejected(Build(s), "index out of range");
  s = TwoTypes();
  s.offsets[1] = 100000;  // > 93599
  ExpectRejected(Build(s), "offset out of range");
  s = TwoTypes();
  s.leapcnt = 1;
  ExpectRejected(Build(s), "leap-second");
  s = TwoTypes();
  s.footer = "EST5EDT,M3.2.0";  // only one rule
  ExpectRejected(Build(s), "TZ string");
  s = TwoTypes();
  s.footer = "E5";  // name too short
  ExpectRejected(Build(s), "TZ string");
  s = TwoTypes();
  s.offsets.clear();
  ExpectRejected(Build(s), "typecnt");

  // Counts that promise more data than the file holds.
  bad = good;
  bad[20 + 12 + 3] = 0xFF;  // timecnt low byte in the v1 header
  ExpectRejected(bad, "");
  // Every truncation is refused.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(TzifZone::Parse("Test/Trunc", ByteView(good.data(), n)).ok()) << n;
  }
}

TEST(Tzif, RealFileCorruptions) {
  ATTUNE_REQUIRE_ZONE(probe, "America/New_York");
  const Bytes real = ReadZoneFile("America/New_York");
  ASSERT_TRUE(TzifZone::Parse("America/New_York", real).ok());
  for (size_t n = 0; n < real.size(); n += 7) {
    EXPECT_FALSE(TzifZone::Parse("Trunc", ByteView(real.data(), n)).ok()) << n;
  }
  Bytes extra = real;
  extra.push_back('\n');
  EXPECT_FALSE(TzifZone::Parse("Extra", extra).ok());
  Bytes footer = real;
  footer[footer.size() - 3] = '!';  // inside the TZ string
  EXPECT_FALSE(TzifZone::Parse("Footer", footer).ok());
}

TEST(PosixTz, Rules) {
  auto tz = PosixTimeZone::Parse("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(tz.ok());
  EXPECT_EQ(tz->OffsetAt(Utc(2099, 3, 29, 0, 59)), 3600);  // 2099-03-29 is the last Sunday
  EXPECT_EQ(tz->OffsetAt(Utc(2099, 3, 29, 1, 0)), 7200);
  auto south = PosixTimeZone::Parse("<-04>4<-03>,M9.1.6/24,M4.1.6/24");  // Chile style
  ASSERT_TRUE(south.ok());
  EXPECT_EQ(south->OffsetAt(Utc(2090, 1, 15)), -3 * 3600);
  EXPECT_EQ(south->OffsetAt(Utc(2090, 7, 15)), -4 * 3600);
  auto fixed = PosixTimeZone::Parse("<+0530>-5:30");
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->OffsetAt(0), 19800);
  auto julian = PosixTimeZone::Parse("XST3XDT,J60/2,J300/2");
  ASSERT_TRUE(julian.ok());
  // J60 is 1 March in every year, leap or not.
  EXPECT_EQ(julian->OffsetAt(Utc(2028, 3, 1, 4, 59)), -3 * 3600);
  EXPECT_EQ(julian->OffsetAt(Utc(2028, 3, 1, 5, 0)), -2 * 3600);
  for (const char* bad :
       {"", "EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0",
        "EST5EDT,J0,J100", "EST25", "EST5x", "<EST5", "EST5EDT,M3.2.0/200,M11.1.0"}) {
    EXPECT_FALSE(PosixTimeZone::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace attune::therapy
