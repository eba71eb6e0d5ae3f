// The initiator repeats its X3DH prefix until the inviter has replied
// (docs/PROTOCOL.md, "First message"): the inviter can start the session
// from whichever message arrives first, recognises later repetitions of the
// same X3DH, and a replayed or modified prefix never makes a second session.
#include <gtest/gtest.h>

#include <algorithm>

#include "attune/crypto/random.h"
#include "attune/e2e/first_message.h"
#include "attune/e2e/invitation_codec.h"
#include "attune/e2e/x3dh.h"
#include "e2e_test_time.h"

namespace attune::e2e {
namespace {

using testing::kDay;
using testing::kNow;
using testing::Text;

bool Contains(ByteView haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

class X3dhRepeatTest : public ::testing::Test {
 protected:
  X3dhRepeatTest()
      : random_("x3dh-repeat-test"),
        therapist_(Identity::Generate(random_)),
        client_(Identity::Generate(random_)),
        minted_(MintInvitation(therapist_, AsBytes("route"), kNow, 7 * kDay, random_).value()) {
    auto inv = ParseInvitationText(EncodeInvitationText(minted_.invitation), kNow + 60);
    EXPECT_TRUE(inv.ok());
    auto accepted = AcceptInvitation(client_, *inv, Text(kIntroduction), {}, kNow + 60, random_);
    EXPECT_TRUE(accepted.ok()) << accepted.error().ToString();
    messages_.push_back(accepted->first_message);
    client_session_.emplace(std::move(accepted->session));
  }

  // Message i (1-based) from the client, before any reply.
  Bytes Send(std::string_view text) {
    auto wire = client_session_->Encrypt(Text(text), random_);
    EXPECT_TRUE(wire.ok());
    messages_.push_back(*wire);
    return std::move(wire).value();
  }

  ProcessedFirstMessage MustProcess(ByteView message) {
    auto p = ProcessFirstMessage(therapist_, minted_.secrets, message, kNow + 120);
    EXPECT_TRUE(p.ok()) << p.error().ToString();
    return std::move(p).value();
  }

  static constexpr std::string_view kIntroduction = "hello: Sam, mailbox, capability";
  crypto::DeterministicRandom random_;
  Identity therapist_;
  Identity client_;
  MintedInvitation minted_;
  std::optional<Session> client_session_{};
  std::vector<Bytes> messages_{};  // [0] is the first message
};

TEST_F(X3dhRepeatTest, EveryMessageBeforeAReplyCarriesTheSamePrefix) {
  Send("one");
  Send("two");
  auto first = FirstMessageView::Parse(messages_[0]);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(messages_[0][0], kFirstMessageTypeV2);
  for (const Bytes& m : messages_) {
    auto view = FirstMessageView::Parse(m);
    ASSERT_TRUE(view.ok()) << view.error().ToString();
    EXPECT_TRUE(std::equal(view->x3dh_prefix().begin(), view->x3dh_prefix().end(),
                           first->x3dh_prefix().begin(), first->x3dh_prefix().end()));
  }
}

TEST_F(X3dhRepeatTest, InviterStartsFromMessageOneWhenMessageZeroIsLost) {
  Send("message one");
  ProcessedFirstMessage p = MustProcess(messages_[1]);
  EXPECT_EQ(p.plaintext, Text("message one"));
  EXPECT_EQ(p.introduction, Text(kIntroduction));
  EXPECT_EQ(p.peer, client_.public_identity());
  // Message 0 arriving late is recognised and read on the same session.
  auto late = DecryptOnSession(p.session, p.secrets, messages_[0], kNow + 130);
  ASSERT_TRUE(late.ok()) << late.error().ToString();
  EXPECT_TRUE(late->empty());
  // And a second copy of message 1 is a duplicate, not a new session.
  EXPECT_EQ(DecryptOnSession(p.session, p.secrets, messages_[1], kNow + 140).error().code,
            ErrorCode::kDuplicate);
  EXPECT_EQ(ProcessFirstMessage(therapist_, p.secrets, messages_[1], kNow + 140).error().code,
            ErrorCode::kDuplicate);
}

TEST_F(X3dhRepeatTest, InviterStartsFromMessageFiveWhenZeroToFourAreLost) {
  for (int i = 1; i <= 5; ++i) Send("message " + std::to_string(i));
  ProcessedFirstMessage p = MustProcess(messages_[5]);
  EXPECT_EQ(p.plaintext, Text("message 5"));
  EXPECT_EQ(p.introduction, Text(kIntroduction));
  // The lost ones still decrypt if they turn up, in any order.
  for (int i : {3, 1, 4, 2}) {
    auto late =
        DecryptOnSession(p.session, p.secrets, messages_[static_cast<size_t>(i)], kNow + 200);
    ASSERT_TRUE(late.ok()) << i << ": " << late.error().ToString();
    EXPECT_EQ(*late, Text("message " + std::to_string(i)));
  }
}

TEST_F(X3dhRepeatTest, AfterTheReplyThePrefixIsGoneFromStateAndWire) {
  Send("one");
  ProcessedFirstMessage p = MustProcess(messages_[0]);
  const Bytes prefix(client_session_->pending_x3dh_prefix().begin(),
                     client_session_->pending_x3dh_prefix().end());
  ASSERT_FALSE(prefix.empty());
  // Stored state holds the prefix while pending (and survives a reload).
  Bytes before = client_session_->Serialize();
  EXPECT_TRUE(Contains(before, prefix));
  auto reloaded = Session::Deserialize(before);
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().ToString();
  EXPECT_EQ(reloaded->Serialize(), before);

  auto reply = p.session.Encrypt(Text("welcome"), random_);
  ASSERT_TRUE(reply.ok());
  EXPECT_NE((*reply)[0], kFirstMessageTypeV2);
  auto read = client_session_->Decrypt(*reply, kNow + 300);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_TRUE(client_session_->pending_x3dh_prefix().empty());
  const Bytes after = client_session_->Serialize();
  EXPECT_FALSE(Contains(after, prefix));
  // The identity seal alone (bytes 49..209) appears nowhere either.
  EXPECT_FALSE(Contains(after, ByteView(prefix).subspan(kFirstMessagePublicHeaderSize, 32)));
  auto next = client_session_->Encrypt(Text("thanks"), random_);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)[0], kRatchetWireVersion);
  EXPECT_FALSE(Contains(*next, ByteView(prefix).first(kFirstMessagePublicHeaderSize)));
  auto got = p.session.Decrypt(*next, kNow + 400);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(*got, Text("thanks"));
}

TEST_F(X3dhRepeatTest, ModifiedOrForeignPrefixNeverMakesASecondSession) {
  Send("one");
  ProcessedFirstMessage p = MustProcess(messages_[0]);
  auto view = FirstMessageView::Parse(messages_[1]);
  ASSERT_TRUE(view.ok());
  const size_t prefix_size = view->x3dh_prefix().size();
  // A bit flipped anywhere in the prefix (EK, sealed identity, sealed
  // introduction): another X3DH as far as the inviter can tell.
  for (size_t offset : {size_t{20}, size_t{100}, prefix_size - 1}) {
    Bytes bad = messages_[1];
    bad[offset] ^= 0x01;
    EXPECT_EQ(DecryptOnSession(p.session, p.secrets, bad, kNow + 200).error().code,
              ErrorCode::kAlreadyExists)
        << offset;
    EXPECT_EQ(ProcessFirstMessage(therapist_, p.secrets, bad, kNow + 200).error().code,
              ErrorCode::kAlreadyExists)
        << offset;
  }
  // Another client's genuine X3DH on the same (used) invitation.
  const Identity stranger = Identity::Generate(random_);
  auto inv = ParseInvitationText(EncodeInvitationText(minted_.invitation), kNow + 60);
  ASSERT_TRUE(inv.ok());
  auto other = AcceptInvitation(stranger, *inv, Text("stranger"), {}, kNow + 60, random_);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(DecryptOnSession(p.session, p.secrets, other->first_message, kNow + 200).error().code,
            ErrorCode::kAlreadyExists);
  // The genuine repetition still reads, so none of that changed the session.
  auto genuine = DecryptOnSession(p.session, p.secrets, messages_[1], kNow + 210);
  ASSERT_TRUE(genuine.ok()) << genuine.error().ToString();
  EXPECT_EQ(*genuine, Text("one"));
  // A genuine prefix in front of a forged ratchet message does not decrypt
  // and changes nothing: the genuine message still does.
  const Bytes two = Send("two");
  Bytes forged = two;
  forged.back() ^= 0x01;
  EXPECT_EQ(DecryptOnSession(p.session, p.secrets, forged, kNow + 220).error().code,
            ErrorCode::kAuthFailed);
  auto read = DecryptOnSession(p.session, p.secrets, two, kNow + 230);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(*read, Text("two"));
}

TEST_F(X3dhRepeatTest, ModifiedIntroductionIsRejectedBeforeAnythingIsConsumed) {
  Bytes bad = messages_[0];
  bad[kIntroductionAdSize + 2] ^= 0x01;
  auto r = ProcessFirstMessage(therapist_, minted_.secrets, bad, kNow + 120);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);
  EXPECT_TRUE(ProcessFirstMessage(therapist_, minted_.secrets, messages_[0], kNow + 120).ok());
}

TEST_F(X3dhRepeatTest, StateVersionsAreReadAndAPrefixNeedsVersionTwo) {
  const Bytes v2 = client_session_->Serialize();
  // version is field 1 (varint), the first byte after the 4-byte envelope.
  ASSERT_EQ(v2[4], 0x08);
  EXPECT_EQ(v2[5], kSessionStateVersion);
  Bytes as_v1 = v2;
  as_v1[5] = kSessionStateVersionV1;
  auto refused = Session::Deserialize(as_v1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  // The responder's state has no prefix: as version 1 it is still read, and
  // written back as version 2.
  ProcessedFirstMessage p = MustProcess(messages_[0]);
  Bytes responder = p.session.Serialize();
  responder[5] = kSessionStateVersionV1;
  auto v1 = Session::Deserialize(responder);
  ASSERT_TRUE(v1.ok()) << v1.error().ToString();
  EXPECT_EQ(v1->Serialize()[5], kSessionStateVersion);
}

TEST_F(X3dhRepeatTest, TooLongIntroductionIsRefused) {
  auto inv = ParseInvitationText(EncodeInvitationText(minted_.invitation), kNow + 60);
  ASSERT_TRUE(inv.ok());
  const Bytes big(kMaxIntroductionSize + 1, 'x');
  EXPECT_EQ(AcceptInvitation(client_, *inv, big, {}, kNow + 60, random_).error().code,
            ErrorCode::kLimitExceeded);
  const Bytes max(kMaxIntroductionSize, 'x');
  auto ok = AcceptInvitation(client_, *inv, max, Bytes(kMaxPlaintextSize, 'y'), kNow + 60, random_);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->first_message.size(), kMaxFirstMessageV2Size);
  auto p = ProcessFirstMessage(therapist_, minted_.secrets, ok->first_message, kNow + 120);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(p->introduction, max);
}

}  // namespace
}  // namespace attune::e2e
