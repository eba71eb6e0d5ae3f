// Mailbox logic against the real SQLite store: credentials and tickets (uses,
// expiry, revocation), capabilities, quotas, owner signatures bound to the
// handshake hash, rotation and deletion.
#include "attune/relay/core/mailbox_logic.h"
#include "relay_test_util.h"

namespace attune::relay {
namespace {

using testing::MakeBlob;
using testing::Owner;
using testing::TempDir;

constexpr uint64_t kNow = 1'800'000'000;

class LogicTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = testing::OpenStoreOrDie(dir_.file("relay.db")); }

  // Issues a credential and returns its token.
  ByteArray<kTokenSize> Credential(uint64_t uses, uint64_t expires_at = kNow + 1000) {
    auto token = crypto::SystemRandom().Array<kTokenSize>();
    EXPECT_TRUE(store_->InsertCredential(CredentialHash(token), uses, expires_at).ok());
    return token;
  }

  CreateMailboxRequest CreateWithCredential(const Owner& o, const ByteArray<kTokenSize>& cred) {
    return CreateMailboxRequest{o.id, o.key.public_key, o.cap_hash(),
                                CreateMailboxRequest::Auth::kCredential, CredentialHash(cred)};
  }
  CreateMailboxRequest CreateWithTicket(const Owner& o, const ByteArray<kTokenSize>& ticket) {
    return CreateMailboxRequest{o.id, o.key.public_key, o.cap_hash(),
                                CreateMailboxRequest::Auth::kTicket, TicketHash(ticket)};
  }
  Owner CreatedMailbox() {
    Owner o = Owner::Random();
    EXPECT_TRUE(CreateMailbox(*store_, CreateWithCredential(o, Credential(1)), kNow).ok());
    return o;
  }
  uint64_t UsesLeft(const ByteArray<kTokenSize>& cred) {
    return store_->FindCredential(CredentialHash(cred)).value()->uses_left;
  }

  TempDir dir_{};
  std::unique_ptr<SqliteMailboxStore> store_{};
  MailboxLimits limits_{};
};

TEST_F(LogicTest, CredentialUsesAreSpentByCreatesAndTickets) {
  auto cred = Credential(2);
  Owner a = Owner::Random();
  EXPECT_EQ(CreateMailbox(*store_, CreateWithCredential(a, cred), kNow).code, Code::kOk);
  EXPECT_EQ(UsesLeft(cred), 1u);
  Outcome t = IssueTicket(*store_, {CredentialHash(cred)}, limits_, kNow, crypto::SystemRandom());
  ASSERT_EQ(t.code, Code::kOk);
  ASSERT_TRUE(t.ticket.has_value());
  EXPECT_EQ(UsesLeft(cred), 0u);
  // Used up.
  Owner b = Owner::Random();
  EXPECT_EQ(CreateMailbox(*store_, CreateWithCredential(b, cred), kNow).code, Code::kUnauthorized);
  EXPECT_EQ(
      IssueTicket(*store_, {CredentialHash(cred)}, limits_, kNow, crypto::SystemRandom()).code,
      Code::kUnauthorized);
  // The ticket still creates exactly one mailbox.
  EXPECT_EQ(CreateMailbox(*store_, CreateWithTicket(b, *t.ticket), kNow).code, Code::kOk);
  Owner c = Owner::Random();
  EXPECT_EQ(CreateMailbox(*store_, CreateWithTicket(c, *t.ticket), kNow).code, Code::kUnauthorized);
}

TEST_F(LogicTest, ExpiredAndUnknownCredentialsAreRefused) {
  auto expired = Credential(5, kNow);
  Owner o = Owner::Random();
  EXPECT_EQ(CreateMailbox(*store_, CreateWithCredential(o, expired), kNow).code,
            Code::kUnauthorized);
  auto unknown = crypto::SystemRandom().Array<kTokenSize>();
  EXPECT_EQ(CreateMailbox(*store_, CreateWithCredential(o, unknown), kNow).code,
            Code::kUnauthorized);
  EXPECT_FALSE(store_->GetMailbox(o.id).value().has_value());
}

TEST_F(LogicTest, TicketsExpire) {
  auto cred = Credential(1);
  Outcome t = IssueTicket(*store_, {CredentialHash(cred)}, limits_, kNow, crypto::SystemRandom());
  ASSERT_TRUE(t.ok());
  Owner o = Owner::Random();
  EXPECT_EQ(
      CreateMailbox(*store_, CreateWithTicket(o, *t.ticket), kNow + limits_.ticket_ttl_seconds)
          .code,
      Code::kUnauthorized);
  EXPECT_EQ(
      CreateMailbox(*store_, CreateWithTicket(o, *t.ticket), kNow + limits_.ticket_ttl_seconds - 1)
          .code,
      Code::kOk);
}

TEST_F(LogicTest, RevokingACredentialKillsItAndItsTickets) {
  auto cred = Credential(5);
  Outcome t = IssueTicket(*store_, {CredentialHash(cred)}, limits_, kNow, crypto::SystemRandom());
  ASSERT_TRUE(t.ok());
  auto rec = store_->FindCredential(CredentialHash(cred)).value();
  ASSERT_TRUE(store_->RevokeCredential(rec->id).value());
  Owner o = Owner::Random();
  EXPECT_EQ(CreateMailbox(*store_, CreateWithCredential(o, cred), kNow).code, Code::kUnauthorized);
  EXPECT_EQ(CreateMailbox(*store_, CreateWithTicket(o, *t.ticket), kNow).code, Code::kUnauthorized);
  EXPECT_FALSE(store_->RevokeCredential(rec->id + 100).value());
}

TEST_F(LogicTest, RetriedCreateIsIdempotentAndATakenIdIsRefused) {
  auto cred = Credential(3);
  Owner o = Owner::Random();
  ASSERT_TRUE(CreateMailbox(*store_, CreateWithCredential(o, cred), kNow).ok());
  EXPECT_TRUE(CreateMailbox(*store_, CreateWithCredential(o, cred), kNow).ok());
  EXPECT_EQ(UsesLeft(cred), 2u);  // the retry spent nothing
  Owner other = Owner::Random();
  other.id = o.id;  // same id, different owner key
  EXPECT_EQ(CreateMailbox(*store_, CreateWithCredential(other, cred), kNow).code,
            Code::kAlreadyExists);
  EXPECT_EQ(UsesLeft(cred), 2u);
}

TEST_F(LogicTest, SendNeedsTheCapabilityAndSaysTheSameForUnknownMailboxes) {
  Owner o = CreatedMailbox();
  SendRequest good{o.id, o.cap_hash(), MakeBlob("hello")};
  Outcome first = SendMessage(*store_, good, limits_, kNow);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.message_id, 1u);
  EXPECT_EQ(SendMessage(*store_, good, limits_, kNow).message_id, 2u);

  auto wrong_cap = crypto::SystemRandom().Array<kTokenSize>();
  SendRequest bad{o.id, SendCapabilityHash(wrong_cap), MakeBlob("x")};
  Outcome refused = SendMessage(*store_, bad, limits_, kNow);
  SendRequest nowhere{Owner::Random().id, o.cap_hash(), MakeBlob("x")};
  Outcome unknown = SendMessage(*store_, nowhere, limits_, kNow);
  EXPECT_EQ(refused.code, Code::kUnauthorized);
  EXPECT_EQ(unknown.code, Code::kUnauthorized);
  EXPECT_STREQ(refused.message, unknown.message);
  // The message expires after the configured TTL.
  EXPECT_EQ(
      store_->FetchMessages(o.id, 0, kNow + limits_.message_ttl_seconds - 1, 10, 1 << 20)->size(),
      2u);
  EXPECT_EQ(store_->FetchMessages(o.id, 0, kNow + limits_.message_ttl_seconds, 10, 1 << 20)->size(),
            0u);
}

TEST_F(LogicTest, QuotasOnCountAndBytes) {
  Owner o = CreatedMailbox();
  limits_.max_messages_per_mailbox = 2;
  limits_.max_bytes_per_mailbox = 10;
  EXPECT_TRUE(SendMessage(*store_, {o.id, o.cap_hash(), MakeBlob("12345")}, limits_, kNow).ok());
  EXPECT_EQ(SendMessage(*store_, {o.id, o.cap_hash(), MakeBlob("123456")}, limits_, kNow).code,
            Code::kQuotaExceeded);
  EXPECT_TRUE(SendMessage(*store_, {o.id, o.cap_hash(), MakeBlob("12345")}, limits_, kNow).ok());
  EXPECT_EQ(SendMessage(*store_, {o.id, o.cap_hash(), MakeBlob("1")}, limits_, kNow).code,
            Code::kQuotaExceeded);
  // An ack frees room.
  ASSERT_TRUE(AckMessage(*store_, {o.id, 1}).ok());
  EXPECT_TRUE(SendMessage(*store_, {o.id, o.cap_hash(), MakeBlob("1")}, limits_, kNow).ok());
}

TEST_F(LogicTest, SubscribeSignatureIsBoundToTheHandshakeHash) {
  Owner o = CreatedMailbox();
  HandshakeHash h1 = crypto::SystemRandom().Array<64>();
  HandshakeHash h2 = crypto::SystemRandom().Array<64>();
  auto sig = crypto::Ed25519Sign(o.key, SubscribeSignedBytes(h1, o.id));
  EXPECT_TRUE(AuthorizeSubscribe(*store_, {o.id, sig}, h1).ok());
  // Replayed on another connection (another handshake hash).
  EXPECT_EQ(AuthorizeSubscribe(*store_, {o.id, sig}, h2).code, Code::kUnauthorized);
  // Signed by someone else.
  auto stranger = crypto::GenerateEd25519KeyPair(crypto::SystemRandom());
  auto forged = crypto::Ed25519Sign(stranger, SubscribeSignedBytes(h1, o.id));
  EXPECT_EQ(AuthorizeSubscribe(*store_, {o.id, forged}, h1).code, Code::kUnauthorized);
  // A delete signature is not a subscribe signature (domain separation).
  auto del = crypto::Ed25519Sign(o.key, DeleteSignedBytes(h1, o.id));
  EXPECT_EQ(AuthorizeSubscribe(*store_, {o.id, del}, h1).code, Code::kUnauthorized);
  // Unknown mailbox: same answer.
  Owner ghost = Owner::Random();
  auto ghost_sig = crypto::Ed25519Sign(ghost.key, SubscribeSignedBytes(h1, ghost.id));
  EXPECT_EQ(AuthorizeSubscribe(*store_, {ghost.id, ghost_sig}, h1).code, Code::kUnauthorized);
}

TEST_F(LogicTest, RotationNeedsBothKeysAndReplacesKeyAndCapability) {
  Owner o = CreatedMailbox();
  ASSERT_TRUE(SendMessage(*store_, {o.id, o.cap_hash(), MakeBlob("kept")}, limits_, kNow).ok());
  HandshakeHash h = crypto::SystemRandom().Array<64>();
  Owner next = Owner::Random();
  Bytes signed_bytes = RotateSignedBytes(h, o.id, next.key.public_key, next.cap_hash());
  RotateMailboxRequest req{o.id, next.key.public_key, next.cap_hash(),
                           crypto::Ed25519Sign(o.key, signed_bytes),
                           crypto::Ed25519Sign(next.key, signed_bytes)};
  RotateMailboxRequest missing_new = req;
  missing_new.new_owner_signature = crypto::Ed25519Sign(o.key, signed_bytes);
  EXPECT_EQ(RotateMailbox(*store_, missing_new, h).code, Code::kUnauthorized);
  RotateMailboxRequest missing_old = req;
  missing_old.signature = crypto::Ed25519Sign(next.key, signed_bytes);
  EXPECT_EQ(RotateMailbox(*store_, missing_old, h).code, Code::kUnauthorized);

  ASSERT_TRUE(RotateMailbox(*store_, req, h).ok());
  EXPECT_EQ(SendMessage(*store_, {o.id, o.cap_hash(), MakeBlob("x")}, limits_, kNow).code,
            Code::kUnauthorized);
  EXPECT_TRUE(SendMessage(*store_, {o.id, next.cap_hash(), MakeBlob("x")}, limits_, kNow).ok());
  auto old_sig = crypto::Ed25519Sign(o.key, SubscribeSignedBytes(h, o.id));
  EXPECT_EQ(AuthorizeSubscribe(*store_, {o.id, old_sig}, h).code, Code::kUnauthorized);
  auto new_sig = crypto::Ed25519Sign(next.key, SubscribeSignedBytes(h, o.id));
  EXPECT_TRUE(AuthorizeSubscribe(*store_, {o.id, new_sig}, h).ok());
  // Stored messages survive rotation.
  EXPECT_EQ(store_->FetchMessages(o.id, 0, kNow, 10, 1 << 20)->size(), 2u);
}

TEST_F(LogicTest, DeleteNeedsTheOwnerAndRemovesEverything) {
  Owner o = CreatedMailbox();
  ASSERT_TRUE(SendMessage(*store_, {o.id, o.cap_hash(), MakeBlob("x")}, limits_, kNow).ok());
  HandshakeHash h = crypto::SystemRandom().Array<64>();
  auto stranger = crypto::GenerateEd25519KeyPair(crypto::SystemRandom());
  EXPECT_EQ(
      DeleteMailbox(*store_, {o.id, crypto::Ed25519Sign(stranger, DeleteSignedBytes(h, o.id))}, h)
          .code,
      Code::kUnauthorized);
  ASSERT_TRUE(
      DeleteMailbox(*store_, {o.id, crypto::Ed25519Sign(o.key, DeleteSignedBytes(h, o.id))}, h)
          .ok());
  EXPECT_FALSE(store_->GetMailbox(o.id).value().has_value());
  EXPECT_TRUE(store_->FetchMessages(o.id, 0, 0, 10, 1 << 20)->empty());
  EXPECT_EQ(SendMessage(*store_, {o.id, o.cap_hash(), MakeBlob("x")}, limits_, kNow).code,
            Code::kUnauthorized);
}

}  // namespace
}  // namespace attune::relay
