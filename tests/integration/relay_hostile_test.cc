// Hostile and heavy clients against a real attune-relay: garbage, bad,
// truncated and oversized frames before and after the handshake, stalled
// clients, and 1,000 concurrent connections. The offender is disconnected;
// everyone else keeps being served and the relay keeps running
// (docs/PROTOCOL.md (part mailbox) sections 1, 2 and 5).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "attune/mailbox/client_codec.h"
#include "attune/noise/framing.h"
#include "attune/testing/net_util.h"
#include "raw_relay_client.h"
#include "relay.pb.h"
#include "relay_test_util.h"

namespace attune::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Hostile bytes come from a seeded stream: the seed is printed and in every
// failure message, and ATTUNE_TEST_SEED=<seed> replays a failing run.
const std::string& Seed() {
  static const std::string seed = [] {
    const char* fixed = std::getenv("ATTUNE_TEST_SEED");
    std::string s =
        fixed != nullptr
            ? fixed
            : std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    std::printf("relay_hostile_test: ATTUNE_TEST_SEED=%s\n", s.c_str());
    return s;
  }();
  return seed;
}

crypto::RandomSource& TestRandom() {
  static crypto::DeterministicRandom random(Seed());
  return random;
}

Bytes RandomBytes(size_t n) {
  Bytes b(n);
  TestRandom().Fill(b);
  return b;
}

#define ATTUNE_SEED_TRACE() SCOPED_TRACE("ATTUNE_TEST_SEED=" + Seed())

// A well-behaved owner + sender pair; Check() proves the relay still serves.
class GoodClient {
 public:
  static std::unique_ptr<GoodClient> Make(RelayUnderTest& relay) {
    auto g = std::unique_ptr<GoodClient>(new GoodClient());
    auto c = relay.Connect();
    if (!c.ok()) return nullptr;
    g->connection_ = std::move(*c);
    g->mailbox_ = NewMailboxKeys();
    if (!CreateWithCredential(*g->connection_, g->mailbox_, relay.credential()).ok()) {
      return nullptr;
    }
    if (!g->connection_->Subscribe(g->mailbox_.id, g->mailbox_.owner).ok()) return nullptr;
    return g;
  }

  // Sends one message to itself and receives it.
  ::testing::AssertionResult Check() {
    const Bytes blob = RandomBytes(16);
    auto id = connection_->Send(mailbox_.id, mailbox_.capability.span(), blob);
    if (!id.ok()) return ::testing::AssertionFailure() << "send: " << id.error().ToString();
    auto d = connection_->NextDelivery(seconds(5));
    if (!d.ok()) return ::testing::AssertionFailure() << "receive: " << d.error().ToString();
    if (!d->has_value() || (*d)->blob != blob) {
      return ::testing::AssertionFailure() << "message not delivered";
    }
    Status ack = connection_->Ack(mailbox_.id, (*d)->message_id);
    if (!ack.ok()) return ::testing::AssertionFailure() << "ack: " << ack.ToString();
    return ::testing::AssertionSuccess();
  }

 private:
  GoodClient() = default;
  std::unique_ptr<net::RelayConnection> connection_{};
  TestMailbox mailbox_{};
};

Bytes Frame(ByteView body) { return noise::EncodeFrame(body); }

// Opens a raw connection (optionally handshaken), sends `bytes`, and reports
// whether the relay closed it within 5 s.
::testing::AssertionResult ClosedAfter(RelayUnderTest& relay, bool handshake, ByteView bytes,
                                       bool half_close = false) {
  auto raw = RawRelayClient::Connect(relay.port());
  if (!raw.ok()) return ::testing::AssertionFailure() << "connect failed";
  if (handshake) {
    Status s = raw->Handshake(relay.public_key(), seconds(5));
    if (!s.ok()) return ::testing::AssertionFailure() << "handshake: " << s.ToString();
  }
  (void)raw->WriteRaw(bytes);  // may already fail if the relay closed early
  if (half_close) raw->ShutdownWrite();
  if (!raw->WaitForClose(seconds(5))) {
    return ::testing::AssertionFailure() << "relay kept the connection open";
  }
  return ::testing::AssertionSuccess();
}

TEST(RelayHostile, MalformedTruncatedAndOversizedFramesCloseOnlyTheOffender) {
  ATTUNE_SEED_TRACE();
  auto relay = RelayUnderTest::Start(
      {{"limits", {{"max_frame_size", "4096"}}}, {"mailbox", {{"max_blob_size", "1024"}}}});
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  RelayUnderTest& r = **relay;
  auto good = GoodClient::Make(r);
  ASSERT_NE(good, nullptr);
  ASSERT_TRUE(good->Check());

  // Before the handshake.
  EXPECT_TRUE(ClosedAfter(r, false, Frame(RandomBytes(48)))) << "garbage message 1";
  EXPECT_TRUE(ClosedAfter(r, false, Frame(RandomBytes(100)))) << "message 1 of the wrong size";
  EXPECT_TRUE(ClosedAfter(r, false, Bytes{0x00, 0x00})) << "zero-length frame";
  EXPECT_TRUE(ClosedAfter(r, false, Bytes{0xff, 0xff, 0x01})) << "length above max_frame_size";
  {
    Bytes junk = RandomBytes(300);
    junk[0] = 0x00;
    junk[1] = 0x30;  // a 48-byte frame of junk followed by more junk
    EXPECT_TRUE(ClosedAfter(r, false, junk)) << "junk stream";
  }

  // After the handshake.
  EXPECT_TRUE(ClosedAfter(r, true, Frame(RandomBytes(64)))) << "frame that does not decrypt";
  EXPECT_TRUE(ClosedAfter(r, true, Bytes{0x10, 0x01})) << "4097-byte frame announced";
  EXPECT_TRUE(ClosedAfter(r, true, Bytes{0x00, 0x00})) << "zero-length transport frame";
  {
    // Truncated: a header announcing 100 bytes, 10 of them, then EOF.
    Bytes partial = {0x00, 0x64};
    Append(partial, RandomBytes(10));
    EXPECT_TRUE(ClosedAfter(r, true, partial, /*half_close=*/true)) << "truncated frame";
  }
  for (const Bytes& plaintext : {Bytes{0xff, 0xff, 0xff, 0xff, 0x0f}, RandomBytes(200)}) {
    // Encrypts fine, is not a ClientFrame: closed without an answer.
    auto raw = RawRelayClient::Connect(r.port());
    ASSERT_TRUE(raw.ok());
    ATTUNE_ASSERT_OK(raw->Handshake(r.public_key(), seconds(5)));
    ATTUNE_ASSERT_OK(raw->SendPlaintext(plaintext));
    EXPECT_TRUE(raw->WaitForClose(seconds(5))) << "non-protobuf plaintext";
  }
  {
    // A ClientFrame without a request, and a Send with an oversized blob:
    // BAD_REQUEST, then closed.
    relay::v1::ClientFrame empty;
    empty.set_request_id(1);
    const std::string empty_text = empty.SerializeAsString();
    crypto::SecretArray<32> cap;
    crypto::SecretBytes big =
        mailbox::EncodeSend(2, net::MailboxId{}, cap.span(), RandomBytes(2000));
    for (ByteView plaintext : {AsBytes(empty_text), big.view()}) {
      auto raw = RawRelayClient::Connect(r.port());
      ASSERT_TRUE(raw.ok());
      ATTUNE_ASSERT_OK(raw->Handshake(r.public_key(), seconds(5)));
      ATTUNE_ASSERT_OK(raw->SendPlaintext(plaintext));
      auto answer = raw->Receive(seconds(5));
      ASSERT_TRUE(answer.ok()) << answer.error().ToString();
      ASSERT_TRUE(std::holds_alternative<net::RelayResponse>(*answer));
      EXPECT_EQ(std::get<net::RelayResponse>(*answer).code, net::RelayCode::kBadRequest);
      EXPECT_TRUE(raw->WaitForClose(seconds(5)));
    }
  }

  EXPECT_TRUE(good->Check()) << "the well-behaved client must still be served";
  EXPECT_TRUE(r.running()) << "relay died: " << r.AllLogs();
}

// Stalled connections hold nothing up. That their deadlines then close them
// is tested on the relay's injected clock, without waiting, in
// tests/relay/server_test.cc (HandshakeAndIdleTimeoutsCloseStalledClients,
// ReaderThatStopsReadingIsClosedByTheWriteTimeout).
TEST(RelayHostile, StalledClientsDoNotHoldUpOthers) {
  ATTUNE_SEED_TRACE();
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  RelayUnderTest& r = **relay;

  auto silent = RawRelayClient::Connect(r.port());
  auto half_handshake = RawRelayClient::Connect(r.port());
  auto mid_frame = RawRelayClient::Connect(r.port());
  ASSERT_TRUE(silent.ok() && half_handshake.ok() && mid_frame.ok());
  Bytes half = {0x00, 0x30};
  Append(half, RandomBytes(20));
  ATTUNE_ASSERT_OK(half_handshake->WriteRaw(half));
  ATTUNE_ASSERT_OK(mid_frame->Handshake(r.public_key(), seconds(5)));
  Bytes partial = {0x00, 0x64};
  Append(partial, RandomBytes(10));
  ATTUNE_ASSERT_OK(mid_frame->WriteRaw(partial));

  // While those stall, good clients are served, old and new.
  auto good = GoodClient::Make(r);
  ASSERT_NE(good, nullptr);
  EXPECT_TRUE(good->Check());
  auto fresh = GoodClient::Make(r);
  ASSERT_NE(fresh, nullptr);
  EXPECT_TRUE(fresh->Check());
  EXPECT_TRUE(good->Check());
  EXPECT_TRUE(r.running());
}

TEST(RelayHostile, ThousandConcurrentConnectionsAreServed) {
  ATTUNE_SEED_TRACE();
  constexpr size_t kConnections = 1000;
  constexpr size_t kMailboxes = 10;
  RaiseFileLimit(8 * kConnections);
  auto relay = RelayUnderTest::Start({{"limits", {{"delivery_window", "1000"}}}});
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  RelayUnderTest& r = **relay;

  std::vector<TestMailbox> mailboxes;
  ATTUNE_CONNECT_OR_FAIL(admin, r);
  for (size_t i = 0; i < kMailboxes; ++i) {
    mailboxes.push_back(NewMailboxKeys());
    ATTUNE_ASSERT_OK(CreateWithCredential(*admin, mailboxes.back(), r.credential()));
  }
  std::vector<std::unique_ptr<net::RelayConnection>> connections;
  for (size_t i = 0; i < kConnections; ++i) {
    auto c = r.Connect();
    ASSERT_TRUE(c.ok()) << "connection " << i << ": " << c.error().ToString();
    connections.push_back(std::move(*c));
  }
  // All 1,000 are open at once; each sends one message, all in flight
  // together, then each collects its answer.
  std::vector<uint64_t> requests;
  for (size_t i = 0; i < kConnections; ++i) {
    const TestMailbox& m = mailboxes[i % kMailboxes];
    auto id = connections[i]->SendNoWait(m.id, m.capability.span(),
                                         AsBytes("from connection " + std::to_string(i)));
    ASSERT_TRUE(id.ok()) << id.error().ToString();
    requests.push_back(*id);
  }
  for (size_t i = 0; i < kConnections; ++i) {
    auto id = connections[i]->AwaitSend(requests[i]);
    ASSERT_TRUE(id.ok()) << "connection " << i << ": " << id.error().ToString();
  }
  if (auto rss = r.process().RssKiB()) {
    RecordProperty("relay_rss_kib_at_1000_connections", std::to_string(*rss));
    std::printf("relay RSS with %zu connections: %llu KiB\n", kConnections,
                static_cast<unsigned long long>(*rss));
  }
  for (const TestMailbox& m : mailboxes) {
    ATTUNE_CONNECT_OR_FAIL(owner, r);
    ATTUNE_ASSERT_OK(owner->Subscribe(m.id, m.owner));
    EXPECT_EQ(ReceiveN(*owner, kConnections / kMailboxes, seconds(10)).size(),
              kConnections / kMailboxes);
  }
  for (auto& c : connections) EXPECT_TRUE(c->is_open());
}

}  // namespace
}  // namespace attune::testing
