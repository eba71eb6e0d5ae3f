// The relay's boundary parsing (ClientFrame -> ValidatedRequest) and the
// documented hash constructions.
#include "attune/mailbox/request.h"

#include <gtest/gtest.h>

#include "attune/crypto/hash.h"
#include "attune/mailbox/hashes.h"
#include "relay.pb.h"

namespace attune::mailbox {
namespace {

namespace pb = attune::relay::v1;

std::string Bytes32(char c) { return std::string(32, c); }

// The Ed25519 base point (RFC 8032 section 5.1): a valid public key.
std::string ValidKey() { return "\x58" + std::string(31, '\x66'); }

ParseOutcome Parse(const pb::ClientFrame& f, size_t max_blob = kMaxBlobSize) {
  std::string s = f.SerializeAsString();
  return ParseClientFrame(AsBytes(s), max_blob);
}

bool RejectedWithId(const ParseOutcome& o, uint64_t id) {
  auto* r = std::get_if<Rejection>(&o);
  return r != nullptr && r->request_id == id;
}

pb::ClientFrame ValidSend(size_t blob_size) {
  pb::ClientFrame f;
  f.set_request_id(9);
  f.mutable_send()->set_mailbox_id(Bytes32('m'));
  f.mutable_send()->set_send_capability(Bytes32('c'));
  f.mutable_send()->set_blob(std::string(blob_size, 'b'));
  return f;
}

TEST(ParseClientFrameTest, ValidSendCarriesTheCapabilityHashNotTheCapability) {
  auto o = Parse(ValidSend(100));
  auto* v = std::get_if<ValidatedRequest>(&o);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->request_id, 9u);
  auto* send = std::get_if<SendRequest>(&v->body);
  ASSERT_NE(send, nullptr);
  EXPECT_EQ(send->presented_cap_hash, SendCapabilityHash(AsBytes(Bytes32('c'))));
  EXPECT_EQ(send->blob->size(), 100u);
  EXPECT_STREQ(RequestKindName(*v), "send");
}

TEST(ParseClientFrameTest, BlobSizeLimits) {
  EXPECT_TRUE(RejectedWithId(Parse(ValidSend(0)), 9));
  EXPECT_TRUE(std::holds_alternative<ValidatedRequest>(Parse(ValidSend(kMaxBlobSize))));
  EXPECT_TRUE(RejectedWithId(Parse(ValidSend(kMaxBlobSize + 1)), 9));
  // A configured smaller limit applies; a larger one is clamped.
  EXPECT_TRUE(RejectedWithId(Parse(ValidSend(1025), 1024), 9));
  EXPECT_TRUE(RejectedWithId(Parse(ValidSend(kMaxBlobSize + 1), 1 << 20), 9));
}

TEST(ParseClientFrameTest, EveryFixedSizeFieldIsChecked) {
  pb::ClientFrame f = ValidSend(10);
  f.mutable_send()->set_mailbox_id(std::string(31, 'm'));
  EXPECT_TRUE(RejectedWithId(Parse(f), 9));
  f = ValidSend(10);
  f.mutable_send()->set_send_capability(std::string(33, 'c'));
  EXPECT_TRUE(RejectedWithId(Parse(f), 9));

  pb::ClientFrame sub;
  sub.set_request_id(3);
  sub.mutable_subscribe()->set_mailbox_id(Bytes32('m'));
  sub.mutable_subscribe()->set_signature(std::string(63, 's'));
  EXPECT_TRUE(RejectedWithId(Parse(sub), 3));
  sub.mutable_subscribe()->set_signature(std::string(64, 's'));
  EXPECT_TRUE(std::holds_alternative<ValidatedRequest>(Parse(sub)));

  pb::ClientFrame create;
  create.set_request_id(4);
  auto* c = create.mutable_create_mailbox();
  c->set_mailbox_id(Bytes32('m'));
  c->set_owner_public_key(ValidKey());
  c->set_send_capability_hash(Bytes32('h'));
  EXPECT_TRUE(RejectedWithId(Parse(create), 4));  // no authorization
  c->set_ticket(std::string(16, 't'));
  EXPECT_TRUE(RejectedWithId(Parse(create), 4));
  c->set_credential(Bytes32('t'));
  auto ok = Parse(create);
  ASSERT_TRUE(std::holds_alternative<ValidatedRequest>(ok));
  auto& req = std::get<CreateMailboxRequest>(std::get<ValidatedRequest>(ok).body);
  EXPECT_EQ(req.auth, CreateMailboxRequest::Auth::kCredential);
  EXPECT_EQ(req.auth_hash, CredentialHash(AsBytes(Bytes32('t'))));

  pb::ClientFrame rotate;
  rotate.set_request_id(5);
  auto* r = rotate.mutable_rotate_mailbox();
  r->set_mailbox_id(Bytes32('m'));
  r->set_new_owner_public_key(ValidKey());
  r->set_new_send_capability_hash(Bytes32('h'));
  r->set_signature(std::string(64, 's'));
  EXPECT_TRUE(RejectedWithId(Parse(rotate), 5));  // new_owner_signature missing
  r->set_new_owner_signature(std::string(64, 's'));
  EXPECT_TRUE(std::holds_alternative<ValidatedRequest>(Parse(rotate)));

  pb::ClientFrame ack;
  ack.set_request_id(6);
  ack.mutable_ack()->set_mailbox_id(Bytes32('m'));
  EXPECT_TRUE(RejectedWithId(Parse(ack), 6));  // message_id 0
  ack.mutable_ack()->set_message_id(1);
  EXPECT_TRUE(std::holds_alternative<ValidatedRequest>(Parse(ack)));
}

TEST(ParseClientFrameTest, OwnerKeysMustBeValidPrimeOrderPoints) {
  // Encodings strict verification can never accept: the identity, a point of
  // order 4 (all zeros), and a non-canonical y (p = 2^255 - 19 itself).
  const std::string identity = "\x01" + std::string(31, '\0');
  const std::string order4(32, '\0');
  const std::string non_canonical = "\xed" + std::string(30, '\xff') + "\x7f";
  for (const std::string& bad : {identity, order4, non_canonical}) {
    pb::ClientFrame create;
    create.set_request_id(4);
    auto* c = create.mutable_create_mailbox();
    c->set_mailbox_id(Bytes32('m'));
    c->set_owner_public_key(bad);
    c->set_send_capability_hash(Bytes32('h'));
    c->set_credential(Bytes32('t'));
    EXPECT_TRUE(RejectedWithId(Parse(create), 4));
    c->set_owner_public_key(ValidKey());
    EXPECT_TRUE(std::holds_alternative<ValidatedRequest>(Parse(create)));

    pb::ClientFrame rotate;
    rotate.set_request_id(5);
    auto* r = rotate.mutable_rotate_mailbox();
    r->set_mailbox_id(Bytes32('m'));
    r->set_new_owner_public_key(bad);
    r->set_new_send_capability_hash(Bytes32('h'));
    r->set_signature(std::string(64, 's'));
    r->set_new_owner_signature(std::string(64, 's'));
    // A rotation's new key is checked later, in CheckRotate, after the
    // mailbox lookup and the owner's signature (rotate_flood_test.cc).
    EXPECT_TRUE(std::holds_alternative<ValidatedRequest>(Parse(rotate)));
  }
}

TEST(ParseClientFrameTest, GarbageAndEmptyFrames) {
  pb::ClientFrame empty;
  empty.set_request_id(77);
  EXPECT_TRUE(RejectedWithId(Parse(empty), 77));  // no request
  const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
  auto o = ParseClientFrame(ByteView(garbage, sizeof garbage), kMaxBlobSize);
  auto* r = std::get_if<Rejection>(&o);
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->request_id.has_value());
  pb::ClientFrame ping;
  ping.set_request_id(1);
  ping.mutable_ping();
  EXPECT_TRUE(std::holds_alternative<ValidatedRequest>(Parse(ping)));
}

// The largest Send the configuration allows fits in kSendFrameOverhead.
TEST(ParseClientFrameTest, SendOverheadBoundHolds) {
  pb::ClientFrame f = ValidSend(kMaxBlobSize);
  f.set_request_id(UINT64_MAX);
  EXPECT_LE(f.ByteSizeLong() + 16, kMaxBlobSize + kSendFrameOverhead);
  EXPECT_LE(kMaxBlobSize + kSendFrameOverhead, kMaxFrameSize);
}

TEST(HashesTest, MatchTheDocumentedConstructions) {
  const std::string cap(32, '\x07');
  Bytes input;
  Append(input, std::string_view("attune-relay/v1/send-capability"));
  Append(input, cap);
  EXPECT_EQ(SendCapabilityHash(AsBytes(cap)), crypto::Blake2b256(input));

  HandshakeHash h{};
  h.fill(0xaa);
  MailboxId id{};
  id.fill(0xbb);
  Bytes sub = SubscribeSignedBytes(h, id);
  ASSERT_EQ(sub.size(), 25u + 64 + 32);
  EXPECT_EQ(std::string(sub.begin(), sub.begin() + 25), "attune-relay/v1/subscribe");
  EXPECT_EQ(sub[25], 0xaa);
  EXPECT_EQ(sub.back(), 0xbb);
  OwnerKey k;
  k.fill(0xcc);
  Hash32 ch;
  ch.fill(0xdd);
  Bytes rot = RotateSignedBytes(h, id, k, ch);
  ASSERT_EQ(rot.size(), 22u + 64 + 32 + 32 + 32);
  EXPECT_EQ(std::string(rot.begin(), rot.begin() + 22), "attune-relay/v1/rotate");
  EXPECT_EQ(rot[22 + 64 + 32], 0xcc);
  EXPECT_EQ(rot.back(), 0xdd);
  EXPECT_NE(CredentialHash(AsBytes(cap)), TicketHash(AsBytes(cap)));
}

}  // namespace
}  // namespace attune::mailbox
