#include "attune/client/routing.h"

#include <gtest/gtest.h>

#include "attune/crypto/random.h"

namespace attune::client {
namespace {

Routing Sample() {
  crypto::DeterministicRandom random("routing-test");
  Routing r;
  r.relay.host = "relay.clinic.example";
  r.relay.port = 7420;
  r.relay.relay_public_key = random.Array<32>();
  r.inviter_mailbox = random.Array<32>();
  random.Fill(r.send_capability.mutable_span());
  random.Fill(r.ticket.mutable_span());
  r.inviter_name = "Dr. Rivera";
  return r;
}

TEST(Routing, RoundTripsAndFitsAnInvitation) {
  Routing r = Sample();
  Bytes blob = EncodeRouting(r);
  EXPECT_LE(blob.size(), 512u);
  auto parsed = ParseRouting(blob);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->relay.host, r.relay.host);
  EXPECT_EQ(parsed->relay.port, r.relay.port);
  EXPECT_EQ(parsed->relay.relay_public_key, r.relay.relay_public_key);
  EXPECT_EQ(parsed->inviter_mailbox, r.inviter_mailbox);
  EXPECT_EQ(Bytes(parsed->send_capability.view().begin(), parsed->send_capability.view().end()),
            Bytes(r.send_capability.view().begin(), r.send_capability.view().end()));
  EXPECT_EQ(Bytes(parsed->ticket.view().begin(), parsed->ticket.view().end()),
            Bytes(r.ticket.view().begin(), r.ticket.view().end()));
  EXPECT_EQ(parsed->inviter_name, r.inviter_name);
}

TEST(Routing, LongestHostAndNameStillFit) {
  Routing r = Sample();
  r.relay.host = std::string(kMaxHostSize, 'h');
  r.inviter_name = std::string(kMaxDisplayNameSize, 'n');
  EXPECT_LE(EncodeRouting(r).size(), 512u);
}

TEST(Routing, RejectsOutOfBoundsFields) {
  Routing r = Sample();
  r.inviter_name = std::string(kMaxDisplayNameSize + 1, 'n');
  EXPECT_EQ(ParseRouting(EncodeRouting(r)).error().code, ErrorCode::kInvalidArgument);
  r = Sample();
  r.inviter_name = "line\nbreak";
  EXPECT_FALSE(ParseRouting(EncodeRouting(r)).ok());
  r = Sample();
  r.relay.host = "";
  EXPECT_FALSE(ParseRouting(EncodeRouting(r)).ok());
  r = Sample();
  r.relay.port = 0;
  EXPECT_FALSE(ParseRouting(EncodeRouting(r)).ok());
  Bytes garbage = {0xff, 0xff, 0xff};
  EXPECT_FALSE(ParseRouting(garbage).ok());
  Bytes truncated = EncodeRouting(Sample());
  truncated.resize(truncated.size() - 5);
  EXPECT_FALSE(ParseRouting(truncated).ok());
}

TEST(Routing, RejectsAnotherVersion) {
  Bytes blob = EncodeRouting(Sample());
  ASSERT_EQ(blob[0], 0x08);  // field 1, varint
  blob[1] = 2;
  EXPECT_EQ(ParseRouting(blob).error().code, ErrorCode::kUnsupportedVersion);
}

TEST(DisplayName, Bounds) {
  EXPECT_TRUE(ValidateDisplayName("Sam").ok());
  EXPECT_TRUE(ValidateDisplayName("Zoë").ok());
  EXPECT_FALSE(ValidateDisplayName("").ok());
  EXPECT_FALSE(ValidateDisplayName("a\x1b[2J").ok());
  EXPECT_FALSE(ValidateDisplayName("\xff\xfe").ok());
}

}  // namespace
}  // namespace attune::client
