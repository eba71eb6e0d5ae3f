// X3DH from an invitation to a working two-way session, and every way the
// inviter refuses a first message without consuming the invitation.
#include "attune/e2e/x3dh.h"

#include <gtest/gtest.h>

#include "attune/crypto/aead.h"
#include "attune/crypto/util.h"
#include "attune/e2e/first_message.h"
#include "attune/e2e/invitation_codec.h"
#include "e2e_test_time.h"

namespace attune::e2e {
namespace {

using testing::kDay;
using testing::kNow;
using testing::Text;

class X3dhTest : public ::testing::Test {
 protected:
  X3dhTest()
      : random_("x3dh-test"),
        therapist_(Identity::Generate(random_)),
        client_(Identity::Generate(random_)),
        minted_(MintInvitation(therapist_, AsBytes("route"), kNow, 7 * kDay, random_).value()) {}

  // The client's side: parse the text form as a user would, then accept.
  AcceptedInvitation Accept(std::string_view plaintext = "hello, this is Sam",
                            const Identity* who = nullptr, X3dhTrace* trace = nullptr) {
    auto inv = ParseInvitationText(EncodeInvitationText(minted_.invitation), kNow + 60);
    EXPECT_TRUE(inv.ok()) << inv.error().ToString();
    auto accepted = AcceptInvitation(who ? *who : client_, *inv, {}, AsBytes(plaintext), kNow + 60,
                                     random_, nullptr, trace);
    EXPECT_TRUE(accepted.ok()) << accepted.error().ToString();
    return std::move(accepted).value();
  }

  Result<ProcessedFirstMessage> Process(ByteView message, const InvitationSecrets& secrets,
                                        uint64_t now = kNow + 120,
                                        const PublicIdentity* expected = nullptr) {
    return ProcessFirstMessage(therapist_, secrets, message, now, expected);
  }

  // Unseals the identity inside a first message with the initiator's trace,
  // lets `edit` change the record, and seals it again.
  Bytes ResealIdentity(const Bytes& message, const X3dhTrace& trace,
                       const std::function<void(Bytes&)>& edit) {
    const ByteView header = ByteView(message).first(kFirstMessagePublicHeaderSize);
    auto record = crypto::XChaChaOpen(
        trace.seal_key.span(), trace.seal_nonce.span(), header,
        ByteView(message).subspan(kFirstMessagePublicHeaderSize, kSealedIdentitySize));
    EXPECT_TRUE(record.ok());
    edit(*record);
    Bytes out(header.begin(), header.end());
    Append(out,
           crypto::XChaChaSeal(trace.seal_key.span(), trace.seal_nonce.span(), header, *record));
    Append(out, ByteView(message).subspan(kFirstMessageHeaderSize));
    return out;
  }

  crypto::DeterministicRandom random_;
  Identity therapist_;
  Identity client_;
  MintedInvitation minted_;
};

TEST_F(X3dhTest, FirstMessageStartsATwoWaySession) {
  X3dhTrace client_trace, therapist_trace;
  AcceptedInvitation accepted = Accept("hello, this is Sam", nullptr, &client_trace);
  auto processed = ProcessFirstMessage(therapist_, minted_.secrets, accepted.first_message,
                                       kNow + 120, nullptr, &therapist_trace);
  ASSERT_TRUE(processed.ok()) << processed.error().ToString();
  EXPECT_EQ(processed->plaintext, Text("hello, this is Sam"));
  EXPECT_EQ(processed->peer, client_.public_identity());
  EXPECT_TRUE(processed->secrets.consumed());
  auto view = FirstMessageView::Parse(accepted.first_message);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(processed->secrets.first_message_hash(), FirstMessageHash(view->x3dh_prefix()));
  EXPECT_FALSE(minted_.secrets.consumed());

  // Both sides derived the same keys and AD, initiator first.
  for (auto [a, b] : {std::pair{&client_trace.dh1, &therapist_trace.dh1},
                      {&client_trace.dh2, &therapist_trace.dh2},
                      {&client_trace.dh3, &therapist_trace.dh3},
                      {&client_trace.dh4, &therapist_trace.dh4},
                      {&client_trace.root_key, &therapist_trace.root_key},
                      {&client_trace.shared_hka, &therapist_trace.shared_hka},
                      {&client_trace.shared_nhkb, &therapist_trace.shared_nhkb}}) {
    EXPECT_TRUE(crypto::ConstantTimeEqual(a->view(), b->view()));
  }
  Bytes ad;
  Append(ad, kX3dhAdLabel);
  Append(ad, client_.public_identity().key_bytes());
  Append(ad, therapist_.public_identity().key_bytes());
  EXPECT_EQ(client_trace.associated_data, ad);
  EXPECT_EQ(therapist_trace.associated_data, ad);
  EXPECT_EQ(accepted.session.associated_data().size(), ad.size());

  // The conversation continues both ways.
  Session& therapist = processed->session;
  Session& client = accepted.session;
  auto reply = therapist.Encrypt(AsBytes("welcome"), random_);
  ASSERT_TRUE(reply.ok()) << reply.error().ToString();
  auto got_reply = client.Decrypt(*reply, kNow + 180);
  ASSERT_TRUE(got_reply.ok()) << got_reply.error().ToString();
  EXPECT_EQ(*got_reply, Text("welcome"));
  auto second = client.Encrypt(AsBytes("check-in"), random_);
  ASSERT_TRUE(second.ok());
  auto got_second = therapist.Decrypt(*second, kNow + 240);
  ASSERT_TRUE(got_second.ok()) << got_second.error().ToString();
  EXPECT_EQ(*got_second, Text("check-in"));
}

TEST_F(X3dhTest, RelaySeesNoIdentityKeyInTheFirstMessage) {
  const AcceptedInvitation accepted = Accept();
  const ByteView message = accepted.first_message;
  for (ByteView key : {ByteView(client_.public_identity().signing_key()),
                       ByteView(client_.public_identity().agreement_key()),
                       ByteView(therapist_.public_identity().signing_key()),
                       ByteView(therapist_.public_identity().agreement_key())}) {
    EXPECT_EQ(std::search(message.begin(), message.end(), key.begin(), key.end()), message.end());
  }
}

TEST_F(X3dhTest, SameFirstMessageTwiceIsADuplicate) {
  const AcceptedInvitation accepted = Accept();
  auto first = Process(accepted.first_message, minted_.secrets);
  ASSERT_TRUE(first.ok());
  auto again = Process(accepted.first_message, first->secrets);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kDuplicate);
  // Also after the consumed secrets went through the store, and after expiry.
  auto restored = InvitationSecrets::Deserialize(first->secrets.Serialize().view());
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(Process(accepted.first_message, *restored, kNow + 30 * kDay).error().code,
            ErrorCode::kDuplicate);
}

TEST_F(X3dhTest, SecondFirstMessageFromTheSameInvitationIsRejected) {
  const AcceptedInvitation one = Accept("first");
  auto first = Process(one.first_message, minted_.secrets);
  ASSERT_TRUE(first.ok());
  // Someone else who saw the invitation (or the same client re-accepting)
  // builds a new first message from the same one-time prekey.
  const Identity eve = Identity::Generate(random_);
  const AcceptedInvitation two = Accept("second", &eve);
  auto second = Process(two.first_message, first->secrets);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kAlreadyExists);
}

TEST_F(X3dhTest, ExpiredInvitationIsRejectedAndConsumesNothing) {
  const AcceptedInvitation accepted = Accept();
  const uint64_t expiry = minted_.secrets.expires_at();
  auto late = Process(accepted.first_message, minted_.secrets, expiry + 1);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kExpired);
  EXPECT_FALSE(minted_.secrets.consumed());
  EXPECT_TRUE(Process(accepted.first_message, minted_.secrets, expiry).ok());

  auto inv = ParseInvitationBinary(minted_.invitation.encoded(), kNow);
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(AcceptInvitation(client_, *inv, {}, AsBytes("x"), expiry + 1, random_).error().code,
            ErrorCode::kExpired);
}

TEST_F(X3dhTest, TamperedFirstMessagesAreRejectedAndConsumeNothing) {
  const AcceptedInvitation accepted = Accept();
  const Bytes& good = accepted.first_message;
  // One flipped bit in each region: type, invitation id, EK, sealed
  // identity, introduction length, sealed introduction, ratchet version,
  // encrypted ratchet header, ratchet body.
  const size_t ratchet = kIntroductionAdSize + kMinSealedIntroductionSize;
  const std::vector<std::pair<size_t, ErrorCode>> cases = {
      {0, ErrorCode::kUnsupportedVersion},
      {5, ErrorCode::kInvalidArgument},
      {20, ErrorCode::kAuthFailed},
      {60, ErrorCode::kAuthFailed},
      {208, ErrorCode::kAuthFailed},
      {kFirstMessageHeaderSize + 1, ErrorCode::kInvalidArgument},
      {kIntroductionAdSize + 3, ErrorCode::kAuthFailed},
      {ratchet, ErrorCode::kUnsupportedVersion},
      {ratchet + 40, ErrorCode::kAuthFailed},
      {good.size() - 1, ErrorCode::kAuthFailed},
  };
  for (const auto& [offset, code] : cases) {
    Bytes bad = good;
    bad[offset] ^= 0x04;
    auto r = Process(bad, minted_.secrets);
    ASSERT_FALSE(r.ok()) << offset;
    EXPECT_EQ(r.error().code, code) << offset << ": " << r.error().ToString();
  }
  Bytes truncated(good.begin(), good.end() - 1);
  EXPECT_EQ(Process(truncated, minted_.secrets).error().code, ErrorCode::kInvalidArgument);
  // None of that consumed the invitation: the genuine message still works.
  EXPECT_TRUE(Process(good, minted_.secrets).ok());
}

TEST_F(X3dhTest, SmallOrderEphemeralKeyIsRejected) {
  const AcceptedInvitation accepted = Accept();
  Bytes bad = accepted.first_message;
  std::fill(bad.begin() + 17, bad.begin() + 49, 0);
  bad[17] = 1;
  auto r = Process(bad, minted_.secrets);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCryptoFailed);
  EXPECT_TRUE(Process(accepted.first_message, minted_.secrets).ok());
}

TEST_F(X3dhTest, BadIdentitySignatureOrSmallOrderIdentityKeyIsRejected) {
  X3dhTrace trace;
  const AcceptedInvitation accepted = Accept("hi", nullptr, &trace);
  // The sealing itself is reproducible: resealing unchanged works.
  EXPECT_TRUE(
      Process(ResealIdentity(accepted.first_message, trace, [](Bytes&) {}), minted_.secrets).ok());

  const Bytes bad_signature =
      ResealIdentity(accepted.first_message, trace, [](Bytes& record) { record[100] ^= 0x01; });
  auto r1 = Process(bad_signature, minted_.secrets);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code, ErrorCode::kAuthFailed);

  // A small-order agreement key, properly signed by the client's own key.
  const Bytes low_order = ResealIdentity(accepted.first_message, trace, [&](Bytes& record) {
    std::fill(record.begin() + 32, record.begin() + 64, 0);
    Bytes message;
    Append(message, kIdentityBindingLabel);
    Append(message, ByteView(record).first(kIdentityKeyBytesSize));
    const auto sig = client_.Sign(message);
    std::copy(sig.begin(), sig.end(), record.begin() + kIdentityKeyBytesSize);
  });
  auto r2 = Process(low_order, minted_.secrets);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::kCryptoFailed);
  EXPECT_TRUE(Process(accepted.first_message, minted_.secrets).ok());
}

TEST_F(X3dhTest, UnexpectedInitiatorIsAnIdentityChangeNotANewSession) {
  const Identity reinstalled_client = Identity::Generate(random_);
  const AcceptedInvitation accepted = Accept("it's me, new phone", &reinstalled_client);
  const PublicIdentity known = client_.public_identity();
  auto r = Process(accepted.first_message, minted_.secrets, kNow + 120, &known);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIdentityChanged);
  // Nothing consumed: after the user verifies the new key, it goes through.
  const PublicIdentity now_known = reinstalled_client.public_identity();
  auto ok = Process(accepted.first_message, minted_.secrets, kNow + 120, &now_known);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(ok->peer, now_known);
}

TEST_F(X3dhTest, AcceptingSideChecksAKnownInviter) {
  auto inv = ParseInvitationBinary(minted_.invitation.encoded(), kNow);
  ASSERT_TRUE(inv.ok());
  const Identity impostor = Identity::Generate(random_);
  const PublicIdentity expected = impostor.public_identity();
  EXPECT_EQ(
      AcceptInvitation(client_, *inv, {}, AsBytes("x"), kNow, random_, &expected).error().code,
      ErrorCode::kIdentityChanged);
  const PublicIdentity right = therapist_.public_identity();
  EXPECT_TRUE(AcceptInvitation(client_, *inv, {}, AsBytes("x"), kNow, random_, &right).ok());
  // Accepting one's own invitation is refused.
  EXPECT_EQ(AcceptInvitation(therapist_, *inv, {}, AsBytes("x"), kNow, random_).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_F(X3dhTest, FirstMessageForAnotherInvitationIsRejected) {
  const AcceptedInvitation accepted = Accept();
  const MintedInvitation other = MintInvitation(therapist_, {}, kNow, kDay, random_).value();
  auto r = Process(accepted.first_message, other.secrets);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  auto view = FirstMessageView::Parse(accepted.first_message);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->invitation_id(), minted_.secrets.id());
}

TEST_F(X3dhTest, OversizedFirstPlaintextIsRefused) {
  auto inv = ParseInvitationBinary(minted_.invitation.encoded(), kNow);
  ASSERT_TRUE(inv.ok());
  const Bytes big(kMaxPlaintextSize + 1, 'x');
  EXPECT_EQ(AcceptInvitation(client_, *inv, {}, big, kNow, random_).error().code,
            ErrorCode::kLimitExceeded);
  const Bytes max(kMaxPlaintextSize, 'x');
  auto accepted = AcceptInvitation(client_, *inv, {}, max, kNow, random_);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->first_message.size(),
            kIntroductionAdSize + kMinSealedIntroductionSize + kMaxWireMessageSize);
  auto processed = Process(accepted->first_message, minted_.secrets);
  ASSERT_TRUE(processed.ok()) << processed.error().ToString();
  EXPECT_EQ(processed->plaintext, max);
}

}  // namespace
}  // namespace attune::e2e
