#include "attune/noise/framing.h"

#include <gtest/gtest.h>

#include <vector>

namespace attune::noise {
namespace {

Bytes Message(size_t n, uint8_t fill) { return Bytes(n, fill); }

// Drains every complete frame; fails the test on a decoder error.
std::vector<Bytes> Drain(FrameDecoder& d) {
  std::vector<Bytes> out;
  for (;;) {
    auto next = d.Next();
    EXPECT_TRUE(next.ok()) << next.error().ToString();
    if (!next.ok() || !next->has_value()) return out;
    out.push_back(std::move(**next));
  }
}

TEST(Framing, EncodeIsBigEndianLengthThenMessage) {
  EXPECT_EQ(EncodeFrame(Message(3, 0xaa)), (Bytes{0x00, 0x03, 0xaa, 0xaa, 0xaa}));
  Bytes big = EncodeFrame(Message(0x1234, 1));
  EXPECT_EQ(big.size(), 2u + 0x1234);
  EXPECT_EQ(big[0], 0x12);
  EXPECT_EQ(big[1], 0x34);
  Bytes max = EncodeFrame(Message(kMaxMessageSize, 2));
  EXPECT_EQ(max[0], 0xff);
  EXPECT_EQ(max[1], 0xff);
}

TEST(FramingDeathTest, EncodeRefusesEmptyAndOversize) {
  EXPECT_DEATH(EncodeFrame({}), "");
  EXPECT_DEATH(EncodeFrame(Message(kMaxMessageSize + 1, 0)), "");
}

TEST(Framing, ByteAtATime) {
  const Bytes a = Message(5, 1);
  const Bytes b = Message(300, 2);
  Bytes stream = EncodeFrame(a);
  AppendFrame(stream, b);
  FrameDecoder d;
  std::vector<Bytes> got;
  for (uint8_t byte : stream) {
    d.Feed(ByteView(&byte, 1));
    for (auto& f : Drain(d)) got.push_back(std::move(f));
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], a);
  EXPECT_EQ(got[1], b);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(Framing, SplitInsideHeaderAndBody) {
  const Bytes a = Message(1000, 7);
  Bytes stream = EncodeFrame(a);
  FrameDecoder d;
  d.Feed(ByteView(stream).first(1));  // half a header
  EXPECT_TRUE(Drain(d).empty());
  d.Feed(ByteView(stream).subspan(1, 500));  // rest of header, part of body
  EXPECT_TRUE(Drain(d).empty());
  EXPECT_EQ(d.buffered(), 501u);
  d.Feed(ByteView(stream).subspan(501));
  auto got = Drain(d);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], a);
}

TEST(Framing, ManyFramesInOneFeedAndATrailingPartial) {
  Bytes stream;
  std::vector<Bytes> sent;
  for (size_t i = 1; i <= 500; ++i) {
    sent.push_back(Message(i % 97 + 1, static_cast<uint8_t>(i)));
    AppendFrame(stream, sent.back());
  }
  const Bytes tail = Message(40, 0xee);
  Bytes tail_frame = EncodeFrame(tail);
  Append(stream, ByteView(tail_frame).first(10));
  FrameDecoder d;
  d.Feed(stream);
  EXPECT_EQ(Drain(d), sent);
  EXPECT_EQ(d.buffered(), 10u);
  d.Feed(ByteView(tail_frame).subspan(10));
  auto got = Drain(d);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], tail);
}

TEST(Framing, MaximumFrameDecodes) {
  const Bytes max = Message(kMaxMessageSize, 3);
  FrameDecoder d;
  d.Feed(EncodeFrame(max));
  auto got = Drain(d);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], max);
}

TEST(Framing, ZeroLengthFrameIsAnErrorAndSticky) {
  FrameDecoder d;
  Bytes stream = EncodeFrame(Message(4, 1));
  Append(stream, Bytes{0x00, 0x00});
  AppendFrame(stream, Message(4, 2));
  d.Feed(stream);
  auto first = d.Next();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  auto bad = d.Next();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(d.failed());
  // The following well-formed frame is never returned: the stream is dead.
  EXPECT_FALSE(d.Next().ok());
  d.Feed(EncodeFrame(Message(4, 3)));
  EXPECT_FALSE(d.Next().ok());
}

TEST(Framing, FrameAboveCallerMaxIsRejectedOnTheHeader) {
  FrameDecoder d(/*max_frame_size=*/100);
  d.Feed(EncodeFrame(Message(100, 1)));
  auto ok = d.Next();
  ASSERT_TRUE(ok.ok());
  ASSERT_TRUE(ok->has_value());
  // Only the header of a 101-byte frame: rejected without waiting the body.
  d.Feed(Bytes{0x00, 101});
  auto bad = d.Next();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(Framing, MaxFrameSizeIsClampedToTheNoiseLimit) {
  FrameDecoder d(/*max_frame_size=*/1 << 20);
  EXPECT_EQ(d.max_frame_size(), kMaxMessageSize);
  FrameDecoder tiny(/*max_frame_size=*/0);
  EXPECT_EQ(tiny.max_frame_size(), 1u);
}

TEST(Framing, BufferIsBounded) {
  // Feeding more than max_buffered without draining fails the decoder
  // instead of growing memory.
  FrameDecoder d(/*max_frame_size=*/100, /*max_buffered=*/1000);
  Bytes stream;
  while (stream.size() < 900) AppendFrame(stream, Message(50, 1));
  d.Feed(stream);
  EXPECT_FALSE(d.failed());
  d.Feed(Message(200, 0));
  EXPECT_TRUE(d.failed());
  auto r = d.Next();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(Framing, DrainingKeepsTheBufferSmallOverALongStream) {
  FrameDecoder d(/*max_frame_size=*/100, /*max_buffered=*/300);
  const Bytes frame = EncodeFrame(Message(60, 9));
  size_t frames = 0;
  for (int i = 0; i < 10000; ++i) {
    d.Feed(frame);
    frames += Drain(d).size();
    ASSERT_FALSE(d.failed());
  }
  EXPECT_EQ(frames, 10000u);
}

}  // namespace
}  // namespace attune::noise
