// The mailbox protocol end to end against a real attune-relay: create, send,
// subscribe, ack, tickets, expiry, quotas, owner signatures, capabilities,
// rotation and deletion (docs/PROTOCOL.md (part mailbox) section 2).
#include <gtest/gtest.h>

#include <thread>

#include "attune/net/relay_codec.h"
#include "raw_relay_client.h"
#include "relay.pb.h"
#include "relay_test_util.h"

namespace attune::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Bytes Text(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(RelayBasic, SendReceiveAckInOrderAndAckedMessagesStayGone) {
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  ATTUNE_CONNECT_OR_FAIL(owner, **relay);
  ATTUNE_CONNECT_OR_FAIL(sender, **relay);
  TestMailbox mailbox = NewMailboxKeys();
  ATTUNE_ASSERT_OK(CreateWithCredential(*owner, mailbox, (*relay)->credential()));

  std::vector<uint64_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto id =
        sender->Send(mailbox.id, mailbox.capability.span(), Text("blob " + std::to_string(i)));
    ASSERT_TRUE(id.ok()) << id.error().ToString();
    ids.push_back(*id);
  }
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_LT(ids[1], ids[2]);

  ATTUNE_ASSERT_OK(owner->Subscribe(mailbox.id, mailbox.owner));
  auto got = ReceiveN(*owner, 3, seconds(5));
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].mailbox_id, mailbox.id);
    EXPECT_EQ(got[i].message_id, ids[i]);
    EXPECT_EQ(got[i].blob, Text("blob " + std::to_string(i)));
  }
  // A message sent while subscribed is pushed at once.
  auto live = sender->Send(mailbox.id, mailbox.capability.span(), Text("live"));
  ASSERT_TRUE(live.ok());
  auto pushed = ReceiveN(*owner, 1, seconds(5));
  ASSERT_EQ(pushed.size(), 1u);
  EXPECT_EQ(pushed[0].blob, Text("live"));

  // Ack the first two; only the unacked ones come back on a new connection.
  ATTUNE_ASSERT_OK(owner->Ack(mailbox.id, ids[0]));
  ATTUNE_ASSERT_OK(owner->Ack(mailbox.id, ids[1]));
  ATTUNE_ASSERT_OK(owner->Ack(mailbox.id, ids[1]));  // acks can be retried
  owner.reset();
  ATTUNE_CONNECT_OR_FAIL(again, **relay);
  ATTUNE_ASSERT_OK(again->Subscribe(mailbox.id, mailbox.owner));
  auto redelivered = ReceiveN(*again, 2, seconds(5));
  ASSERT_EQ(redelivered.size(), 2u);
  EXPECT_EQ(redelivered[0].message_id, ids[2]);
  EXPECT_EQ(redelivered[1].message_id, *live);
  // Subscribing twice on one connection is refused without harm.
  auto twice = again->Subscribe(mailbox.id, mailbox.owner);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kAlreadyExists);
  ATTUNE_ASSERT_OK(again->Ping());
}

TEST(RelayBasic, TicketCreatesExactlyOneMailboxAndCredentialIsChecked) {
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  ATTUNE_CONNECT_OR_FAIL(therapist, **relay);
  auto ticket = therapist->IssueTicket((*relay)->credential().span());
  ASSERT_TRUE(ticket.ok()) << ticket.error().ToString();

  ATTUNE_CONNECT_OR_FAIL(client, **relay);
  TestMailbox first = NewMailboxKeys();
  ATTUNE_ASSERT_OK(client->CreateMailbox(first.id, first.owner.public_key,
                                         net::ComputeSendCapabilityHash(first.capability.span()),
                                         net::CreateAuthorization::Ticket(ticket->span())));
  // Retrying the same create is idempotent and spends nothing.
  ATTUNE_ASSERT_OK(client->CreateMailbox(first.id, first.owner.public_key,
                                         net::ComputeSendCapabilityHash(first.capability.span()),
                                         net::CreateAuthorization::Ticket(ticket->span())));
  TestMailbox second = NewMailboxKeys();
  auto reused = client->CreateMailbox(second.id, second.owner.public_key,
                                      net::ComputeSendCapabilityHash(second.capability.span()),
                                      net::CreateAuthorization::Ticket(ticket->span()));
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, ErrorCode::kAuthFailed);

  const auto forged = crypto::SystemRandom().Secret<32>();
  auto bad = client->CreateMailbox(second.id, second.owner.public_key,
                                   net::ComputeSendCapabilityHash(second.capability.span()),
                                   net::CreateAuthorization::Credential(forged.span()));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kAuthFailed);
  auto bad_ticket = client->IssueTicket(forged.span());
  ASSERT_FALSE(bad_ticket.ok());
  EXPECT_EQ(bad_ticket.error().code, ErrorCode::kAuthFailed);

  // A different mailbox under an existing id is refused.
  TestMailbox clash = NewMailboxKeys();
  clash.id = first.id;
  auto exists = CreateWithCredential(*therapist, clash, (*relay)->credential());
  ASSERT_FALSE(exists.ok());
  EXPECT_EQ(exists.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(client->is_open());
}

// Message expiry is tested against the relay's injected clock in
// tests/relay/server_test.cc (ServerTest.ExpiredMessagesAreNeverDelivered):
// a real process would have to sleep past the TTL.

TEST(RelayBasic, QuotaRefusesWithClearErrorUntilAcked) {
  auto relay = RelayUnderTest::Start(
      {{"mailbox", {{"max_messages_per_mailbox", "3"}, {"max_bytes_per_mailbox", "5000"}}}});
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  ATTUNE_CONNECT_OR_FAIL(c, **relay);
  TestMailbox mailbox = NewMailboxKeys();
  ATTUNE_ASSERT_OK(CreateWithCredential(*c, mailbox, (*relay)->credential()));
  std::vector<uint64_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = c->Send(mailbox.id, mailbox.capability.span(), Text("m"));
    ASSERT_TRUE(id.ok()) << id.error().ToString();
    ids.push_back(*id);
  }
  auto full = c->Send(mailbox.id, mailbox.capability.span(), Text("m"));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kLimitExceeded);
  EXPECT_NE(full.error().message.find("quota"), std::string::npos) << full.error().message;

  ATTUNE_ASSERT_OK(c->Subscribe(mailbox.id, mailbox.owner));
  ASSERT_EQ(ReceiveN(*c, 3, seconds(5)).size(), 3u);
  ATTUNE_ASSERT_OK(c->Ack(mailbox.id, ids[0]));
  auto room = c->Send(mailbox.id, mailbox.capability.span(), Text("m"));
  EXPECT_TRUE(room.ok()) << room.error().ToString();

  // Byte quota: one blob bigger than what is left.
  TestMailbox big = NewMailboxKeys();
  ATTUNE_ASSERT_OK(CreateWithCredential(*c, big, (*relay)->credential()));
  ASSERT_TRUE(c->Send(big.id, big.capability.span(), Bytes(4000, 1)).ok());
  auto too_big = c->Send(big.id, big.capability.span(), Bytes(2000, 2));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kLimitExceeded);
  EXPECT_TRUE(c->is_open());
}

TEST(RelayBasic, WrongOrReplayedOwnerSignaturesAreRefused) {
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  ATTUNE_CONNECT_OR_FAIL(c, **relay);
  TestMailbox mailbox = NewMailboxKeys();
  ATTUNE_ASSERT_OK(CreateWithCredential(*c, mailbox, (*relay)->credential()));
  ASSERT_TRUE(c->Send(mailbox.id, mailbox.capability.span(), Text("secret")).ok());

  // Another key cannot subscribe, delete or rotate.
  const auto stranger = crypto::GenerateEd25519KeyPair(crypto::SystemRandom());
  auto s = c->Subscribe(mailbox.id, stranger);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kAuthFailed);
  auto d = c->DeleteMailbox(mailbox.id, stranger);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kAuthFailed);
  const auto next_owner = crypto::GenerateEd25519KeyPair(crypto::SystemRandom());
  auto r = c->RotateMailbox(mailbox.id, stranger, next_owner,
                            net::ComputeSendCapabilityHash(mailbox.capability.span()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);

  // A valid signature made for one connection is useless on another: it
  // covers the first session's handshake hash.
  auto first = RawRelayClient::Connect((*relay)->port());
  ASSERT_TRUE(first.ok());
  ATTUNE_ASSERT_OK(first->Handshake((*relay)->public_key(), seconds(5)));
  const auto signature = crypto::Ed25519Sign(
      mailbox.owner, net::SubscribeSignatureInput(first->handshake_hash(), mailbox.id));
  auto second = RawRelayClient::Connect((*relay)->port());
  ASSERT_TRUE(second.ok());
  ATTUNE_ASSERT_OK(second->Handshake((*relay)->public_key(), seconds(5)));
  ATTUNE_ASSERT_OK(second->SendPlaintext(net::EncodeSubscribe(7, mailbox.id, signature)));
  auto replayed = second->Receive(seconds(5));
  ASSERT_TRUE(replayed.ok()) << replayed.error().ToString();
  ASSERT_TRUE(std::holds_alternative<net::RelayResponse>(*replayed));
  EXPECT_EQ(std::get<net::RelayResponse>(*replayed).code, net::RelayCode::kUnauthorized);
  // The same signature on its own connection works, proving it was valid.
  ATTUNE_ASSERT_OK(first->SendPlaintext(net::EncodeSubscribe(8, mailbox.id, signature)));
  auto accepted = first->Receive(seconds(5));
  ASSERT_TRUE(accepted.ok());
  ASSERT_TRUE(std::holds_alternative<net::RelayResponse>(*accepted));
  EXPECT_EQ(std::get<net::RelayResponse>(*accepted).code, net::RelayCode::kOk);
  // A delete signature is not a subscribe signature (domain separation).
  const auto delete_sig = crypto::Ed25519Sign(
      mailbox.owner, net::DeleteSignatureInput(second->handshake_hash(), mailbox.id));
  ATTUNE_ASSERT_OK(second->SendPlaintext(net::EncodeSubscribe(9, mailbox.id, delete_sig)));
  auto cross = second->Receive(seconds(5));
  ASSERT_TRUE(cross.ok());
  EXPECT_EQ(std::get<net::RelayResponse>(*cross).code, net::RelayCode::kUnauthorized);
}

TEST(RelayBasic, MissingOrWrongSendCapabilityIsRefused) {
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  ATTUNE_CONNECT_OR_FAIL(c, **relay);
  TestMailbox mailbox = NewMailboxKeys();
  ATTUNE_ASSERT_OK(CreateWithCredential(*c, mailbox, (*relay)->credential()));

  const auto wrong = crypto::SystemRandom().Secret<32>();
  auto refused = c->Send(mailbox.id, wrong.span(), Text("x"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kAuthFailed);
  // The hash itself is not the capability.
  const auto hash = net::ComputeSendCapabilityHash(mailbox.capability.span());
  auto hash_as_cap = c->Send(mailbox.id, hash, Text("x"));
  ASSERT_FALSE(hash_as_cap.ok());
  EXPECT_EQ(hash_as_cap.error().code, ErrorCode::kAuthFailed);
  // An unknown mailbox answers the same as a wrong capability.
  auto unknown = c->Send(crypto::SystemRandom().Array<32>(), mailbox.capability.span(), Text("x"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kAuthFailed);
  EXPECT_TRUE(c->is_open());

  // A Send without a capability is malformed: BAD_REQUEST, then closed.
  auto raw = RawRelayClient::Connect((*relay)->port());
  ASSERT_TRUE(raw.ok());
  ATTUNE_ASSERT_OK(raw->Handshake((*relay)->public_key(), seconds(5)));
  relay::v1::ClientFrame no_cap_frame;
  no_cap_frame.set_request_id(3);
  no_cap_frame.mutable_send()->set_mailbox_id(std::string(AsStringView(mailbox.id)));
  no_cap_frame.mutable_send()->set_blob("x");
  const std::string no_cap_text = no_cap_frame.SerializeAsString();
  const Bytes no_cap(no_cap_text.begin(), no_cap_text.end());
  ATTUNE_ASSERT_OK(raw->SendPlaintext(no_cap));
  auto answer = raw->Receive(seconds(5));
  ASSERT_TRUE(answer.ok()) << answer.error().ToString();
  EXPECT_EQ(std::get<net::RelayResponse>(*answer).code, net::RelayCode::kBadRequest);
  EXPECT_TRUE(raw->WaitForClose(seconds(5)));

  // Nothing was stored by any of these.
  ATTUNE_ASSERT_OK(c->Subscribe(mailbox.id, mailbox.owner));
  auto none = c->NextDelivery(milliseconds(300));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(RelayBasic, RotationReplacesOwnerAndCapabilityDeletionRemovesAll) {
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  ATTUNE_CONNECT_OR_FAIL(c, **relay);
  TestMailbox mailbox = NewMailboxKeys();
  ATTUNE_ASSERT_OK(CreateWithCredential(*c, mailbox, (*relay)->credential()));
  auto kept = c->Send(mailbox.id, mailbox.capability.span(), Text("kept"));
  ASSERT_TRUE(kept.ok());

  TestMailbox rotated = NewMailboxKeys();
  rotated.id = mailbox.id;
  ATTUNE_ASSERT_OK(c->RotateMailbox(mailbox.id, mailbox.owner, rotated.owner,
                                    net::ComputeSendCapabilityHash(rotated.capability.span())));
  auto old_cap = c->Send(mailbox.id, mailbox.capability.span(), Text("x"));
  ASSERT_FALSE(old_cap.ok());
  EXPECT_EQ(old_cap.error().code, ErrorCode::kAuthFailed);
  ASSERT_TRUE(c->Send(mailbox.id, rotated.capability.span(), Text("new")).ok());

  ATTUNE_CONNECT_OR_FAIL(reader, **relay);
  auto old_owner = reader->Subscribe(mailbox.id, mailbox.owner);
  ASSERT_FALSE(old_owner.ok());
  ATTUNE_ASSERT_OK(reader->Subscribe(mailbox.id, rotated.owner));
  auto got = ReceiveN(*reader, 2, seconds(5));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].blob, Text("kept"));  // stored messages survive rotation
  EXPECT_EQ(got[1].blob, Text("new"));

  ATTUNE_ASSERT_OK(c->DeleteMailbox(mailbox.id, rotated.owner));
  auto gone = c->Send(mailbox.id, rotated.capability.span(), Text("x"));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kAuthFailed);
  // The other subscribed connection is closed by the deletion.
  auto closed = reader->NextDelivery(seconds(5));
  EXPECT_FALSE(closed.ok());
  ATTUNE_CONNECT_OR_FAIL(late, **relay);
  EXPECT_FALSE(late->Subscribe(mailbox.id, rotated.owner).ok());
}

}  // namespace
}  // namespace attune::testing
