// The client's side of the codec (request encoding, RelayFrame parsing) and
// the documented formulas, pinned to fixed bytes.
#include "attune/mailbox/client_codec.h"

#include <gtest/gtest.h>

#include "attune/crypto/util.h"
#include "attune/mailbox/hashes.h"
#include "relay.pb.h"

namespace attune::mailbox {
namespace {

ByteArray<32> Counting32() {
  ByteArray<32> a{};
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<uint8_t>(i);
  return a;
}

TEST(MailboxHashes, SendCapabilityHashMatchesDocumentedFormula) {
  // BLAKE2b-256("attune-relay/v1/send-capability" || 00 01 .. 1f), computed
  // independently with Python's hashlib.blake2b(digest_size=32).
  EXPECT_EQ(ToHex(SendCapabilityHash(Counting32())),
            "d96d9fb15d461bda4b974ac512129668326625f75072e4af304c7070032a9bcb");
}

TEST(MailboxHashes, SignatureInputsAreLabelHashAndIdInOrder) {
  HandshakeHash h{};
  h.fill(0xaa);
  MailboxId id{};
  id.fill(0xbb);
  const Bytes sub = SubscribeSignedBytes(h, id);
  ASSERT_EQ(sub.size(), 25u + 64 + 32);
  EXPECT_EQ(AsStringView(ByteView(sub).first(25)), "attune-relay/v1/subscribe");
  EXPECT_EQ(sub[25], 0xaa);
  EXPECT_EQ(sub[25 + 64], 0xbb);
  const Bytes del = DeleteSignedBytes(h, id);
  ASSERT_EQ(del.size(), 22u + 64 + 32);
  EXPECT_EQ(AsStringView(ByteView(del).first(22)), "attune-relay/v1/delete");
  crypto::Ed25519PublicKey k{};
  k.fill(0xcc);
  Hash32 c;
  c.fill(0xdd);
  const Bytes rot = RotateSignedBytes(h, id, k, c);
  ASSERT_EQ(rot.size(), 22u + 64 + 32 + 32 + 32);
  EXPECT_EQ(AsStringView(ByteView(rot).first(22)), "attune-relay/v1/rotate");
  EXPECT_EQ(rot[22 + 64 + 32], 0xcc);
  EXPECT_EQ(rot.back(), 0xdd);
}

std::string Serialize(const relay::v1::RelayFrame& f) { return f.SerializeAsString(); }

TEST(ClientCodec, ParsesResponsesAndDeliveries) {
  relay::v1::RelayFrame f;
  f.mutable_response()->set_request_id(42);
  f.mutable_response()->set_code(relay::v1::Response::OK);
  f.mutable_response()->set_message_id(7);
  f.mutable_response()->set_ticket(std::string(32, 't'));
  auto parsed = ParseRelayFrame(AsBytes(Serialize(f)));
  ASSERT_TRUE(parsed.ok());
  const auto& r = std::get<RelayResponse>(*parsed);
  EXPECT_EQ(r.request_id, 42u);
  EXPECT_EQ(r.code, Code::kOk);
  EXPECT_EQ(r.message_id, 7u);
  ASSERT_TRUE(r.ticket.has_value());
  EXPECT_EQ(r.ticket->view()[0], 't');

  relay::v1::RelayFrame d;
  d.mutable_delivery()->set_mailbox_id(std::string(32, 'm'));
  d.mutable_delivery()->set_message_id(3);
  d.mutable_delivery()->set_blob("ciphertext");
  auto delivery = ParseRelayFrame(AsBytes(Serialize(d)));
  ASSERT_TRUE(delivery.ok());
  EXPECT_EQ(std::get<Delivery>(*delivery).message_id, 3u);
  EXPECT_EQ(std::get<Delivery>(*delivery).blob.size(), 10u);
}

TEST(ClientCodec, RejectsMalformedRelayFrames) {
  relay::v1::RelayFrame no_body;
  EXPECT_FALSE(ParseRelayFrame(AsBytes(Serialize(no_body))).ok());
  relay::v1::RelayFrame bad_code;
  bad_code.mutable_response()->set_code(static_cast<relay::v1::Response::Code>(99));
  EXPECT_FALSE(ParseRelayFrame(AsBytes(Serialize(bad_code))).ok());
  relay::v1::RelayFrame unspecified;
  unspecified.mutable_response()->set_request_id(1);
  EXPECT_FALSE(ParseRelayFrame(AsBytes(Serialize(unspecified))).ok());
  relay::v1::RelayFrame short_ticket;
  short_ticket.mutable_response()->set_code(relay::v1::Response::OK);
  short_ticket.mutable_response()->set_ticket("short");
  EXPECT_FALSE(ParseRelayFrame(AsBytes(Serialize(short_ticket))).ok());
  relay::v1::RelayFrame short_id;
  short_id.mutable_delivery()->set_mailbox_id("abc");
  short_id.mutable_delivery()->set_blob("x");
  EXPECT_FALSE(ParseRelayFrame(AsBytes(Serialize(short_id))).ok());
  relay::v1::RelayFrame empty_blob;
  empty_blob.mutable_delivery()->set_mailbox_id(std::string(32, 'm'));
  EXPECT_FALSE(ParseRelayFrame(AsBytes(Serialize(empty_blob))).ok());
  const Bytes garbage = {0xff, 0xff, 0xff, 0xff};
  EXPECT_FALSE(ParseRelayFrame(garbage).ok());
}

TEST(ClientCodec, EncodedRequestsRoundTripThroughProtobuf) {
  const MailboxId id = Counting32();
  const crypto::SecretArray<32> cap(Counting32());
  const Bytes blob = {1, 2, 3};
  crypto::SecretBytes send = EncodeSend(9, id, cap.span(), blob);
  relay::v1::ClientFrame f;
  ASSERT_TRUE(f.ParseFromArray(send.data(), static_cast<int>(send.size())));
  EXPECT_EQ(f.request_id(), 9u);
  ASSERT_TRUE(f.has_send());
  EXPECT_EQ(f.send().mailbox_id(), std::string(AsStringView(id)));
  EXPECT_EQ(f.send().send_capability(), std::string(AsStringView(cap.view())));
  EXPECT_EQ(f.send().blob(), "\x01\x02\x03");

  crypto::SecretBytes create = EncodeCreateMailbox(1, id, crypto::Ed25519PublicKey{}, Hash32{},
                                                   CreateAuth::kTicket, cap.span());
  ASSERT_TRUE(f.ParseFromArray(create.data(), static_cast<int>(create.size())));
  EXPECT_TRUE(f.create_mailbox().has_ticket());
  EXPECT_FALSE(f.create_mailbox().has_credential());

  const Bytes ping = EncodePing(5);
  ASSERT_TRUE(f.ParseFromArray(ping.data(), static_cast<int>(ping.size())));
  EXPECT_TRUE(f.has_ping());
}

}  // namespace
}  // namespace attune::mailbox
