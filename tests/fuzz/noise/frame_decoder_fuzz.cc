// FrameDecoder (attune/noise/framing.h) against a naive reference model.
//
// Input layout: byte 0 picks max_frame_size, byte 1 max_buffered, byte 2 the
// chunk size the stream is fed in; the rest is the byte stream. After every
// Feed the frames are drained, as the relay and client do. The decoder must
// return exactly the reference's frames and fail exactly where the reference
// fails (zero length, oversize, buffer overflow), and never hold more than
// max_buffered bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "attune/noise/framing.h"

namespace {

using attune::Bytes;
using attune::ByteView;
namespace noise = attune::noise;

void Check(bool condition) {
  if (!condition) std::abort();
}

// The obvious implementation: a buffer, checks on the header, erase in front.
class ReferenceDecoder {
 public:
  ReferenceDecoder(size_t max_frame, size_t max_buffered)
      : max_frame_(max_frame), max_buffered_(max_buffered) {}
  void Feed(ByteView data) {
    if (failed_) return;
    if (buffer_.size() + data.size() > max_buffered_) {
      failed_ = true;
      return;
    }
    buffer_.insert(buffer_.end(), data.begin(), data.end());
  }
  // nullopt: need more; empty Bytes never returned (zero length fails).
  std::optional<Bytes> Next() {
    if (failed_ || buffer_.size() < 2) return std::nullopt;
    const size_t len = (size_t{buffer_[0]} << 8) | buffer_[1];
    if (len == 0 || len > max_frame_) {
      failed_ = true;
      return std::nullopt;
    }
    if (buffer_.size() < 2 + len) return std::nullopt;
    Bytes frame(buffer_.begin() + 2, buffer_.begin() + 2 + static_cast<std::ptrdiff_t>(len));
    buffer_.erase(buffer_.begin(), buffer_.begin() + 2 + static_cast<std::ptrdiff_t>(len));
    return frame;
  }
  bool failed() const { return failed_; }

 private:
  size_t max_frame_ = 0;
  size_t max_buffered_ = 0;
  Bytes buffer_{};
  bool failed_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  // 0 means the default (the Noise limit); otherwise small limits so that the
  // fuzzer's short inputs reach the "too large" paths.
  const size_t max_frame = data[0] == 0 ? noise::kMaxMessageSize : data[0];
  const size_t max_buffered_arg =
      data[1] == 0 ? noise::FrameDecoder::kDefaultMaxBuffered : size_t{data[1]} * 4;
  const size_t chunk = data[2] == 0 ? size : 1 + data[2] % 64;
  const ByteView stream(data + 3, size - 3);

  noise::FrameDecoder decoder(max_frame, max_buffered_arg);
  Check(decoder.max_frame_size() == max_frame);
  const size_t max_buffered = std::max(max_buffered_arg, noise::kFrameHeaderSize + max_frame);
  ReferenceDecoder reference(max_frame, max_buffered);

  for (size_t pos = 0; pos < stream.size(); pos += chunk) {
    const ByteView piece = stream.subspan(pos, std::min(chunk, stream.size() - pos));
    decoder.Feed(piece);
    reference.Feed(piece);
    Check(decoder.buffered() <= max_buffered);
    for (;;) {
      auto got = decoder.Next();
      auto want = reference.Next();
      if (!got.ok()) {
        Check(reference.failed());
        // Sticky: more input never revives it.
        decoder.Feed(piece);
        Check(!decoder.Next().ok());
        return 0;
      }
      Check(!reference.failed());
      Check(got->has_value() == want.has_value());
      if (!want) break;
      Check(**got == *want);
      Check(!want->empty() && want->size() <= max_frame);
    }
  }
  return 0;
}
