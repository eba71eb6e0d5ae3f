// RFC 8536 TZif reader. Layout (all integers big-endian):
//   header:  "TZif" version(1) unused(15) isutcnt isstdcnt leapcnt timecnt
//            typecnt charcnt (6 x u32)
//   v1 data: timecnt x i32 times, timecnt x u8 types, typecnt x (i32 utoff,
//            u8 isdst, u8 desigidx), charcnt bytes, leapcnt x (i32, i32),
//            isstdcnt x u8, isutcnt x u8
//   v2+:     a second header and data block with i64 times (and i64 leap
//            times), then the footer "\n" TZ-string "\n".
#include "attune/client/therapy/tzif.h"

#include <algorithm>

namespace attune::therapy {
namespace {

constexpr size_t kHeaderSize = 44;

Error BadTzif(const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument, "bad TZif data: " + why);
}

struct Header {
  char version = 0;
  uint32_t isutcnt = 0;
  uint32_t isstdcnt = 0;
  uint32_t leapcnt = 0;
  uint32_t timecnt = 0;
  uint32_t typecnt = 0;
  uint32_t charcnt = 0;
};

class Reader {
 public:
  explicit Reader(ByteView data) : data_(data) {}
  size_t remaining() const { return data_.size() - pos_; }
  bool Take(size_t n, ByteView* out) {
    if (n > remaining()) return false;
    *out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  ByteView data_{};
  size_t pos_ = 0;
};

Result<Header> ReadHeader(Reader& r) {
  ByteView h;
  if (!r.Take(kHeaderSize, &h)) return BadTzif("truncated header");
  if (AsStringView(h.first(4)) != "TZif") return BadTzif("missing TZif magic");
  Header out{};
  out.version = static_cast<char>(h[4]);
  if (out.version != '\0' && out.version != '2' && out.version != '3' && out.version != '4') {
    return BadTzif("unknown version");
  }
  const uint8_t* p = h.data() + 20;
  out.isutcnt = ReadU32BE(p);
  out.isstdcnt = ReadU32BE(p + 4);
  out.leapcnt = ReadU32BE(p + 8);
  out.timecnt = ReadU32BE(p + 12);
  out.typecnt = ReadU32BE(p + 16);
  out.charcnt = ReadU32BE(p + 20);
  // RFC 8536 section 3.1 constraints, then our bounds.
  if (out.typecnt == 0 || out.typecnt > 256) return BadTzif("typecnt must be 1..256");
  if (out.charcnt == 0 || out.charcnt > 4096) return BadTzif("charcnt must be 1..4096");
  if (out.isutcnt != 0 && out.isutcnt != out.typecnt) return BadTzif("isutcnt mismatch");
  if (out.isstdcnt != 0 && out.isstdcnt != out.typecnt) return BadTzif("isstdcnt mismatch");
  if (out.timecnt > kMaxTzifTransitions) return BadTzif("too many transitions");
  if (out.leapcnt != 0) return BadTzif("leap-second zones are not supported");
  return out;
}

size_t DataBlockSize(const Header& h, size_t time_size) {
  return size_t{h.timecnt} * time_size + h.timecnt + size_t{h.typecnt} * 6 + h.charcnt +
         size_t{h.leapcnt} * (time_size + 4) + h.isstdcnt + h.isutcnt;
}

}  // namespace

Result<std::unique_ptr<TzifZone>> TzifZone::Parse(std::string name, ByteView data) {
  if (data.size() > kMaxTzifBytes) return BadTzif("file too large");
  Reader r(data);
  ATTUNE_ASSIGN_OR_RETURN(Header h, ReadHeader(r));
  size_t time_size = 4;
  if (h.version != '\0') {
    // Skip the v1 block; the v2+ block after it has 64-bit times.
    ByteView skipped;
    if (!r.Take(DataBlockSize(h, 4), &skipped)) return BadTzif("truncated v1 data block");
    ATTUNE_ASSIGN_OR_RETURN(Header h2, ReadHeader(r));
    if (h2.version != h.version) return BadTzif("second header version differs");
    h = h2;
    time_size = 8;
  }
  ByteView block;
  if (!r.Take(DataBlockSize(h, time_size), &block)) return BadTzif("truncated data block");

  auto zone = std::unique_ptr<TzifZone>(new TzifZone());
  zone->name_ = std::move(name);
  zone->version_ = h.version == '\0' ? 1 : h.version - '0';
  const uint8_t* p = block.data();
  zone->transitions_.reserve(h.timecnt);
  for (uint32_t i = 0; i < h.timecnt; ++i, p += time_size) {
    const int64_t t =
        time_size == 8 ? static_cast<int64_t>(ReadU64BE(p)) : static_cast<int32_t>(ReadU32BE(p));
    if (!zone->transitions_.empty() && t <= zone->transitions_.back()) {
      return BadTzif("transition times not strictly ascending");
    }
    zone->transitions_.push_back(t);
  }
  zone->transition_types_.assign(p, p + h.timecnt);
  for (uint8_t type : zone->transition_types_) {
    if (type >= h.typecnt) return BadTzif("transition type index out of range");
  }
  p += h.timecnt;
  for (uint32_t i = 0; i < h.typecnt; ++i, p += 6) {
    const auto utoff = static_cast<int32_t>(ReadU32BE(p));
    const uint8_t isdst = p[4];
    const uint8_t desigidx = p[5];
    if (utoff < -89999 || utoff > 93599) return BadTzif("UT offset out of range");
    if (isdst > 1) return BadTzif("isdst must be 0 or 1");
    if (desigidx >= h.charcnt) return BadTzif("designation index out of range");
    zone->type_offsets_.push_back(utoff);
  }
  const ByteView chars(p, h.charcnt);
  if (chars.back() != 0) return BadTzif("designations not NUL-terminated");
  p += h.charcnt;
  for (uint32_t i = 0; i < h.isstdcnt + h.isutcnt; ++i) {
    if (p[i] > 1) return BadTzif("standard/UT indicator must be 0 or 1");
  }

  if (zone->version_ >= 2) {
    // Footer: "\n" TZ "\n", nothing after it.
    ByteView nl;
    if (!r.Take(1, &nl) || nl[0] != '\n') return BadTzif("missing footer");
    ByteView rest;
    (void)r.Take(r.remaining(), &rest);
    const std::string_view footer = AsStringView(rest);
    const size_t end = footer.find('\n');
    if (end == std::string_view::npos) return BadTzif("unterminated footer");
    if (end + 1 != footer.size()) return BadTzif("trailing bytes after footer");
    if (end > 0) {
      ATTUNE_ASSIGN_OR_RETURN(PosixTimeZone tz, PosixTimeZone::Parse(footer.substr(0, end)));
      zone->footer_ = tz;
    }
  } else if (r.remaining() != 0) {
    return BadTzif("trailing bytes");
  }
  return zone;
}

int32_t TzifZone::OffsetAt(int64_t utc) const {
  // Before the first transition: time type 0 (RFC 8536 section 3.2).
  if (transitions_.empty() || utc < transitions_.front()) {
    if (transitions_.empty() && footer_) return footer_->OffsetAt(utc);
    return type_offsets_[0];
  }
  if (utc >= transitions_.back() && footer_) return footer_->OffsetAt(utc);
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc);
  const size_t index = static_cast<size_t>(it - transitions_.begin()) - 1;
  return type_offsets_[transition_types_[index]];
}

}  // namespace attune::therapy
