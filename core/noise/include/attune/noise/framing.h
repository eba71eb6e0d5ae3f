// Framing of Noise messages on a byte stream (TCP): every handshake and
// transport message is preceded by its length as a 2-byte big-endian
// integer. A frame is never empty (the smallest Noise message we send is a
// 16-byte tag) and never longer than kMaxMessageSize.
//
//   frame = length:u16be || message[length]     (1 <= length <= max)
#pragma once

#include <cstddef>
#include <optional>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/noise/constants.h"

namespace attune::noise {

// Returns length || message. Precondition (checked, aborts even in release
// builds because a wrapped length would desynchronise the stream):
// 1 <= message.size() <= kMaxMessageSize.
Bytes EncodeFrame(ByteView message);
// Same, appended to `out` (for batching several frames in one write).
void AppendFrame(Bytes& out, ByteView message);

// Splits a byte stream into frames incrementally. Feed() what the socket
// read, then call Next() until it yields nullopt.
//
// Bounded: it buffers at most max_buffered bytes; feeding more than that
// without draining Next() is an error. A frame longer than max_frame_size
// or of length zero is an error as soon as its 2-byte header is seen (the
// body is not waited for). Errors are sticky: the stream is out of sync and
// the connection must be closed.
//
// Thread safety: none.
class FrameDecoder {
 public:
  // max_frame_size is clamped to [1, kMaxMessageSize]; max_buffered is
  // raised to at least kFrameHeaderSize + max_frame_size.
  explicit FrameDecoder(size_t max_frame_size = kMaxMessageSize,
                        size_t max_buffered = kDefaultMaxBuffered);

  static constexpr size_t kDefaultMaxBuffered = 2 * (kFrameHeaderSize + kMaxMessageSize);

  // Appends stream bytes. If the buffer would exceed max_buffered the
  // decoder fails (kLimitExceeded from Next()) and the bytes are dropped.
  void Feed(ByteView data);

  // The next complete frame's message, nullopt when more bytes are needed.
  // Errors (sticky): kInvalidArgument for a zero-length frame,
  // kLimitExceeded for a frame above max_frame_size or a buffer overflow.
  Result<std::optional<Bytes>> Next();

  bool failed() const { return error_.has_value(); }
  // Bytes fed but not yet returned as frames.
  size_t buffered() const { return buffer_.size() - read_pos_; }
  size_t max_frame_size() const { return max_frame_size_; }

 private:
  size_t max_frame_size_ = 0;
  size_t max_buffered_ = 0;
  Bytes buffer_{};
  size_t read_pos_ = 0;
  std::optional<Error> error_{};
};

}  // namespace attune::noise
