// What one side of the relay protocol encodes, the other side parses to the
// same values: client requests through the relay's ParseClientFrame, relay
// frames through the client's ParseRelayFrame. Both live in core/mailbox, so
// this pins the one copy against itself and against relay.proto's numbers.
#include <gtest/gtest.h>

#include <variant>

#include "attune/crypto/ed25519.h"
#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/mailbox/client_codec.h"
#include "attune/mailbox/hashes.h"
#include "attune/mailbox/relay_frame.h"
#include "attune/mailbox/request.h"
#include "relay.pb.h"

namespace attune::mailbox {
namespace {

template <class T>
const T& ParsedAs(ByteView plaintext, uint64_t request_id) {
  static ParseOutcome outcome;  // keeps the returned reference alive
  outcome = ParseClientFrame(plaintext, kMaxBlobSize);
  const auto* v = std::get_if<ValidatedRequest>(&outcome);
  EXPECT_NE(v, nullptr) << std::get<Rejection>(outcome).reason;
  static const T empty{};
  if (v == nullptr) return empty;
  EXPECT_EQ(v->request_id, request_id);
  const T* body = std::get_if<T>(&v->body);
  EXPECT_NE(body, nullptr);
  return body != nullptr ? *body : empty;
}

class RoundTrip : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::Init().ok()); }
  crypto::DeterministicRandom random_{"mailbox round trip"};
  MailboxId id_ = random_.Array<32>();
  crypto::SecretArray<32> token_ = random_.Secret<32>();
  crypto::Ed25519KeyPair owner_ = crypto::GenerateEd25519KeyPair(random_);
};

TEST_F(RoundTrip, EveryClientRequestParsesOnTheRelaySide) {
  const Hash32 cap_hash = SendCapabilityHash(token_.view());
  {
    crypto::SecretBytes f = EncodeCreateMailbox(1, id_, owner_.public_key, cap_hash,
                                                CreateAuth::kTicket, token_.span());
    const auto& r = ParsedAs<CreateMailboxRequest>(f.view(), 1);
    EXPECT_EQ(r.mailbox_id, id_);
    EXPECT_EQ(r.owner_key, owner_.public_key);
    EXPECT_EQ(r.cap_hash, cap_hash);
    EXPECT_EQ(r.auth, CreateMailboxRequest::Auth::kTicket);
    EXPECT_EQ(r.auth_hash, TicketHash(token_.view()));
  }
  {
    crypto::SecretBytes f = EncodeCreateMailbox(2, id_, owner_.public_key, cap_hash,
                                                CreateAuth::kCredential, token_.span());
    const auto& r = ParsedAs<CreateMailboxRequest>(f.view(), 2);
    EXPECT_EQ(r.auth, CreateMailboxRequest::Auth::kCredential);
    EXPECT_EQ(r.auth_hash, CredentialHash(token_.view()));
  }
  {
    crypto::SecretBytes f = EncodeIssueTicket(3, token_.span());
    EXPECT_EQ(ParsedAs<IssueTicketRequest>(f.view(), 3).credential_hash,
              CredentialHash(token_.view()));
  }
  {
    const Bytes blob = {9, 8, 7};
    crypto::SecretBytes f = EncodeSend(4, id_, token_.span(), blob);
    const auto& r = ParsedAs<SendRequest>(f.view(), 4);
    EXPECT_EQ(r.presented_cap_hash, cap_hash);
    ASSERT_NE(r.blob, nullptr);
    EXPECT_EQ(*r.blob, "\x09\x08\x07");
  }
  HandshakeHash h{};
  h.fill(0x42);
  {
    const auto sig = crypto::Ed25519Sign(owner_, SubscribeSignedBytes(h, id_));
    const auto& r = ParsedAs<SubscribeRequest>(EncodeSubscribe(5, id_, sig), 5);
    EXPECT_EQ(r.mailbox_id, id_);
    EXPECT_EQ(r.signature, sig);
  }
  {
    const auto& r = ParsedAs<AckRequest>(EncodeAck(6, id_, 77), 6);
    EXPECT_EQ(r.message_id, 77u);
  }
  {
    const auto sig = crypto::Ed25519Sign(owner_, DeleteSignedBytes(h, id_));
    EXPECT_EQ(ParsedAs<DeleteMailboxRequest>(EncodeDeleteMailbox(7, id_, sig), 7).signature, sig);
  }
  {
    const crypto::Ed25519KeyPair next = crypto::GenerateEd25519KeyPair(random_);
    const Bytes input = RotateSignedBytes(h, id_, next.public_key, cap_hash);
    const auto s1 = crypto::Ed25519Sign(owner_, input);
    const auto s2 = crypto::Ed25519Sign(next, input);
    const auto& r = ParsedAs<RotateMailboxRequest>(
        EncodeRotateMailbox(8, id_, next.public_key, cap_hash, s1, s2), 8);
    EXPECT_EQ(r.new_owner_key, next.public_key);
    EXPECT_EQ(r.new_cap_hash, cap_hash);
    EXPECT_EQ(r.signature, s1);
    EXPECT_EQ(r.new_owner_signature, s2);
  }
  ParsedAs<PingRequest>(EncodePing(9), 9);
}

TEST_F(RoundTrip, RelayFramesParseOnTheClientSide) {
  ByteArray<kTokenSize> ticket{};
  ticket.fill(0x5a);
  const std::string response =
      EncodeResponse(11, Code::kQuotaExceeded, "mailbox full", 0, std::nullopt);
  auto parsed = ParseRelayFrame(AsBytes(response));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  const auto& r = std::get<RelayResponse>(*parsed);
  EXPECT_EQ(r.request_id, 11u);
  EXPECT_EQ(r.code, Code::kQuotaExceeded);
  EXPECT_EQ(r.message, "mailbox full");
  EXPECT_FALSE(r.ticket.has_value());

  const std::string with_ticket = EncodeResponse(12, Code::kOk, "", 5, ticket);
  auto t = ParseRelayFrame(AsBytes(with_ticket));
  ASSERT_TRUE(t.ok());
  const auto& tr = std::get<RelayResponse>(*t);
  EXPECT_EQ(tr.message_id, 5u);
  ASSERT_TRUE(tr.ticket.has_value());
  EXPECT_TRUE(crypto::ConstantTimeEqual(tr.ticket->view(), ticket));

  const std::string delivery = EncodeDelivery(id_, 3, "opaque");
  auto d = ParseRelayFrame(AsBytes(delivery));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(std::get<Delivery>(*d).mailbox_id, id_);
  EXPECT_EQ(std::get<Delivery>(*d).message_id, 3u);
  EXPECT_EQ(AsStringView(std::get<Delivery>(*d).blob), "opaque");
}

TEST(MailboxCodes, AreRelayProtoNumbers) {
  namespace pb = ::attune::relay::v1;
  EXPECT_EQ(static_cast<int>(Code::kUnspecified), pb::Response::CODE_UNSPECIFIED);
  EXPECT_EQ(static_cast<int>(Code::kOk), pb::Response::OK);
  EXPECT_EQ(static_cast<int>(Code::kBadRequest), pb::Response::BAD_REQUEST);
  EXPECT_EQ(static_cast<int>(Code::kUnauthorized), pb::Response::UNAUTHORIZED);
  EXPECT_EQ(static_cast<int>(Code::kNotFound), pb::Response::NOT_FOUND);
  EXPECT_EQ(static_cast<int>(Code::kAlreadyExists), pb::Response::ALREADY_EXISTS);
  EXPECT_EQ(static_cast<int>(Code::kQuotaExceeded), pb::Response::QUOTA_EXCEEDED);
  EXPECT_EQ(static_cast<int>(Code::kRateLimited), pb::Response::RATE_LIMITED);
  EXPECT_EQ(static_cast<int>(Code::kUnavailable), pb::Response::UNAVAILABLE);
  EXPECT_EQ(pb::Response::Code_MAX, pb::Response::UNAVAILABLE);
}

TEST(MailboxLimits, ClientWindowCoversEverySubscription) {
  EXPECT_EQ(kMaxUnackedDeliveriesPerConnection,
            kDefaultMaxSubscriptionsPerConnection * kDefaultDeliveryWindow);
  EXPECT_LE(kMaxBlobSize + kSendFrameOverhead, kMaxFrameSize);
}

}  // namespace
}  // namespace attune::mailbox
