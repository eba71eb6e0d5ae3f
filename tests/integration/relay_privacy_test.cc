// What a stolen relay disk or log reveals: after a realistic run, a byte scan
// of the data directory (database, WAL, key file) and of the relay's logs
// finds no plaintext, no client identity key, no send capability, credential
// or ticket, and the logs hold no mailbox ids or blobs (issue 4; blobs are
// sealed end to end before they reach the relay).
#include <gtest/gtest.h>

#include "attune/crypto/x25519.h"
#include "relay_test_util.h"

namespace attune::testing {
namespace {

using std::chrono::seconds;

struct Needle {
  std::string what{};
  Bytes bytes{};
};

void AddRawAndHex(std::vector<Needle>& needles, const std::string& what, ByteView bytes) {
  needles.push_back({what + " (raw)", Bytes(bytes.begin(), bytes.end())});
  const std::string hex = ToHex(bytes);
  needles.push_back({what + " (hex)", Bytes(hex.begin(), hex.end())});
}

TEST(RelayPrivacy, DataDirAndLogsHoldNoPlaintextIdentityKeysOrSecrets) {
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  RelayUnderTest& r = **relay;
  auto& random = crypto::SystemRandom();
  E2eSealer sealer;

  // Long-term identities of a therapist and a client: the message layer
  // carries them only inside sealed blobs, never in clear.
  const auto therapist_identity = crypto::GenerateEd25519KeyPair(random);
  const auto client_identity = crypto::GenerateEd25519KeyPair(random);
  const auto client_dh = crypto::GenerateX25519KeyPair(random);

  ATTUNE_CONNECT_OR_FAIL(therapist, r);
  auto ticket = therapist->IssueTicket(r.credential().span());
  ASSERT_TRUE(ticket.ok());
  TestMailbox to_therapist = NewMailboxKeys();
  ATTUNE_ASSERT_OK(CreateWithCredential(*therapist, to_therapist, r.credential()));

  ATTUNE_CONNECT_OR_FAIL(client, r);
  TestMailbox to_client = NewMailboxKeys();
  ATTUNE_ASSERT_OK(
      client->CreateMailbox(to_client.id, to_client.owner.public_key,
                            net::ComputeSendCapabilityHash(to_client.capability.span()),
                            net::CreateAuthorization::Ticket(ticket->span())));

  std::vector<std::string> plaintexts = {
      "CHECKIN-PLAINTEXT mood=2 sleep=4h anxiety=8 PHQ-9 item 9: several days",
      "MESSAGE-PLAINTEXT I have been having thoughts of hurting myself again",
      "MESSAGE-PLAINTEXT from Dr. Example: call the crisis line, see you Tuesday",
      "INVITATION-PLAINTEXT carries identity keys: ",
  };
  Bytes invitation(plaintexts.back().begin(), plaintexts.back().end());
  Append(invitation, therapist_identity.public_key);
  Append(invitation, client_identity.public_key);
  Append(invitation, client_dh.public_key);

  std::vector<Bytes> pending_blobs;
  auto send = [&](net::RelayConnection& c, const TestMailbox& m, ByteView plaintext) {
    const Bytes blob = sealer.Seal(plaintext);
    auto id = c.Send(m.id, m.capability.span(), blob);
    EXPECT_TRUE(id.ok());
    return blob;
  };
  send(*client, to_therapist, AsBytes(plaintexts[0]));
  send(*client, to_therapist, AsBytes(plaintexts[1]));
  send(*therapist, to_client, invitation);
  pending_blobs.push_back(send(*therapist, to_client, AsBytes(plaintexts[2])));

  // The therapist reads and acks its mailbox; the client's stays queued.
  ATTUNE_ASSERT_OK(therapist->Subscribe(to_therapist.id, to_therapist.owner));
  for (const auto& d : ReceiveN(*therapist, 2, seconds(5))) {
    ATTUNE_ASSERT_OK(therapist->Ack(to_therapist.id, d.message_id));
  }
  ATTUNE_ASSERT_OK(client->Subscribe(to_client.id, to_client.owner));
  ASSERT_EQ(ReceiveN(*client, 2, seconds(5)).size(), 2u);  // read, not acked
  therapist.reset();
  client.reset();
  auto status = r.Terminate(seconds(5));
  ASSERT_TRUE(status && status->Success());

  std::vector<Needle> needles;
  for (const auto& p : plaintexts) {
    needles.push_back({"plaintext: " + p, Bytes(p.begin(), p.end())});
  }
  needles.push_back({"identity key bundle", invitation});
  AddRawAndHex(needles, "therapist identity key", therapist_identity.public_key);
  AddRawAndHex(needles, "client identity key", client_identity.public_key);
  AddRawAndHex(needles, "client X25519 identity key", client_dh.public_key);
  AddRawAndHex(needles, "send capability", to_therapist.capability.view());
  AddRawAndHex(needles, "send capability", to_client.capability.view());
  AddRawAndHex(needles, "credential", r.credential().view());
  AddRawAndHex(needles, "ticket", ticket->view());
  for (const Needle& n : needles) {
    const auto hits = FilesContaining(r.data_dir(), n.bytes);
    EXPECT_TRUE(hits.empty()) << n.what << " found in " << (hits.empty() ? "" : hits[0].string());
  }

  const std::string logs = r.AllLogs();
  ASSERT_FALSE(logs.empty()) << "the relay logged nothing; the scan would prove nothing";
  AddRawAndHex(needles, "mailbox id", to_therapist.id);
  AddRawAndHex(needles, "mailbox id", to_client.id);
  AddRawAndHex(needles, "owner key", to_client.owner.public_key);
  AddRawAndHex(needles, "blob", ByteView(pending_blobs[0]).first(24));
  for (const Needle& n : needles) {
    EXPECT_FALSE(Contains(AsBytes(logs), n.bytes)) << n.what << " found in the relay log";
  }

  // Positive control: the scan does read the database, since the queued
  // ciphertext is there.
  EXPECT_FALSE(FilesContaining(r.data_dir(), pending_blobs[0]).empty())
      << "the scan did not find a stored ciphertext; it cannot be trusted";
}

}  // namespace
}  // namespace attune::testing
