#include "attune/noise/framing.h"

#include <algorithm>
#include <cstdlib>

namespace attune::noise {

static_assert(kMaxMessageSize <= UINT16_MAX, "the length prefix is 16 bits");

void AppendFrame(Bytes& out, ByteView message) {
  // A wrapped length would silently desynchronise the stream; this is a
  // programming error in the caller, so it stops the process even in release.
  if (message.empty() || message.size() > kMaxMessageSize) std::abort();
  AppendU16BE(out, static_cast<uint16_t>(message.size()));
  Append(out, message);
}

Bytes EncodeFrame(ByteView message) {
  Bytes out;
  out.reserve(kFrameHeaderSize + message.size());
  AppendFrame(out, message);
  return out;
}

FrameDecoder::FrameDecoder(size_t max_frame_size, size_t max_buffered)
    : max_frame_size_(std::clamp<size_t>(max_frame_size, 1, kMaxMessageSize)),
      max_buffered_(std::max(max_buffered, kFrameHeaderSize + max_frame_size_)) {}

void FrameDecoder::Feed(ByteView data) {
  if (error_) return;
  if (data.size() > max_buffered_ - buffered()) {
    error_ = MakeError(ErrorCode::kLimitExceeded, "frame decoder: input buffer limit exceeded");
    buffer_.clear();
    read_pos_ = 0;
    return;
  }
  // Compact lazily: drop consumed bytes only when they dominate the buffer,
  // so draining many small frames stays linear.
  if (read_pos_ > 0 && read_pos_ >= buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_pos_));
    read_pos_ = 0;
  }
  Append(buffer_, data);
}

Result<std::optional<Bytes>> FrameDecoder::Next() {
  if (error_) return *error_;
  if (buffered() < kFrameHeaderSize) return std::optional<Bytes>();
  const size_t length = ReadU16BE(buffer_.data() + read_pos_);
  // Reject on the header alone: never wait for (or buffer) a bad body.
  if (length == 0) {
    error_ = MakeError(ErrorCode::kInvalidArgument, "frame decoder: zero-length frame");
  } else if (length > max_frame_size_) {
    error_ = MakeError(ErrorCode::kLimitExceeded, "frame decoder: frame exceeds the size limit");
  }
  if (error_) {
    buffer_.clear();
    read_pos_ = 0;
    return *error_;
  }
  if (buffered() < kFrameHeaderSize + length) return std::optional<Bytes>();
  const auto begin = buffer_.begin() + static_cast<std::ptrdiff_t>(read_pos_ + kFrameHeaderSize);
  Bytes frame(begin, begin + static_cast<std::ptrdiff_t>(length));
  read_pos_ += kFrameHeaderSize + length;
  if (read_pos_ == buffer_.size()) {
    buffer_.clear();
    read_pos_ = 0;
  }
  return std::optional<Bytes>(std::move(frame));
}

}  // namespace attune::noise
