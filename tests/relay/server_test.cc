// The relay over real sockets on 127.0.0.1, in-process: the full request
// path (Noise, framing, validation, group commit, push delivery) and the
// hardening rules (hostile frames, timeouts, rate and connection limits).
#include "attune/relay/server/server.h"

#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "attune/crypto/util.h"
#include "attune/noise/framing.h"
#include "relay_test_util.h"
#include "test_client.h"

namespace attune::relay {
namespace {

namespace pb = attune::relay::v1;
using testing::Owner;
using testing::TempDir;
using testing::TestClient;

// The server's randomness in these tests: a seeded stream (the seed is in
// every failure message, so a failure replays), locked because tickets are
// drawn on the storage thread and ephemeral keys on the io thread.
class SeededRandom final : public crypto::RandomSource {
 public:
  explicit SeededRandom(const std::string& seed) : random_(seed) {}
  void Fill(MutableByteView out) override {
    std::lock_guard<std::mutex> lock(mu_);
    random_.Fill(out);
  }

 private:
  std::mutex mu_{};
  crypto::DeterministicRandom random_;
};

// Every test runs on a ManualClock: nothing times out, refills or expires
// unless the test advances the clock and calls Tick().
class ServerTest : public ::testing::Test {
 protected:
  // Tests adjust config_ before calling Start().
  void SetUp() override {
    ASSERT_TRUE(crypto::Init().ok());
    config_.listen_address = "127.0.0.1";
    config_.port = 0;
    config_.data_dir = dir_.path();
    config_.limits.idle_timeout_seconds = 30;
    SetLogLevel(LogLevel::kError);
  }

  void Start() {
    auto key = crypto::GenerateX25519KeyPair(crypto::SystemRandom());
    relay_key_ = key.public_key;
    store_ = testing::OpenStoreOrDie(dir_.file("relay.db"), /*cache_mailboxes=*/true);
    credential_ = crypto::SystemRandom().Array<kTokenSize>();
    ASSERT_TRUE(store_->InsertCredential(CredentialHash(credential_), 1000, UINT32_MAX).ok());
    read_store_ = testing::OpenStoreOrDie(dir_.file("relay.db"));
    committer_ = std::make_unique<GroupCommitter>(*store_);
    reader_ = std::make_unique<GroupCommitter>(*read_store_, GroupCommitter::kDefaultMaxBatch,
                                               GroupCommitter::Mode::kReadOnly);
    committer_->Start();
    reader_->Start();
    server_ = std::make_unique<RelayServer>(io_, config_, std::move(key), *committer_,
                                            reader_.get(), clock_, random_);
    auto ep = server_->Listen();
    ASSERT_TRUE(ep.ok()) << ep.error().message;
    port_ = ep->port();
    io_thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (!server_) return;
    asio::post(io_, [this] { server_->Shutdown(nullptr, 500); });
    io_thread_.join();
    committer_->Stop();
    reader_->Stop();
    io_.restart();
    io_.poll();
    server_.reset();
  }

  // Reads the server's counters on its own thread.
  RelayServer::Stats Stats() {
    std::promise<RelayServer::Stats> p;
    asio::post(io_, [&] { p.set_value(server_->stats()); });
    return p.get_future().get();
  }

  // Runs the server's periodic work (deadline sweep, purge) on its thread.
  void Tick() {
    std::promise<void> p;
    asio::post(io_, [&] {
      server_->Tick();
      p.set_value();
    });
    p.get_future().get();
  }
  void AdvanceAndTick(std::chrono::nanoseconds d) {
    clock_.Advance(d);
    Tick();
  }
  // Waits (bounded) until the server has accepted `n` connections, so a
  // deadline the test is about to pass has started.
  bool WaitAccepted(uint64_t n) {
    for (int i = 0; i < 100000; ++i) {
      if (Stats().accepted >= n) return true;
      std::this_thread::yield();
    }
    return false;
  }

  std::unique_ptr<TestClient> Connect() {
    auto c = std::make_unique<TestClient>(port_, relay_key_);
    EXPECT_TRUE(c->ok());
    return c;
  }

  pb::ClientFrame CreateFrame(uint64_t rid, const Owner& o) {
    pb::ClientFrame f;
    f.set_request_id(rid);
    auto* c = f.mutable_create_mailbox();
    c->set_mailbox_id(o.id.data(), o.id.size());
    c->set_owner_public_key(o.key.public_key.data(), 32);
    Hash32 h = o.cap_hash();
    c->set_send_capability_hash(h.data(), h.size());
    c->set_credential(credential_.data(), credential_.size());
    return f;
  }
  static pb::ClientFrame SendFrame(uint64_t rid, const Owner& o, const std::string& blob) {
    pb::ClientFrame f;
    f.set_request_id(rid);
    f.mutable_send()->set_mailbox_id(o.id.data(), o.id.size());
    f.mutable_send()->set_send_capability(o.capability.data(), o.capability.size());
    f.mutable_send()->set_blob(blob);
    return f;
  }
  static pb::ClientFrame SubscribeFrame(uint64_t rid, const Owner& o, const HandshakeHash& h) {
    pb::ClientFrame f;
    f.set_request_id(rid);
    f.mutable_subscribe()->set_mailbox_id(o.id.data(), o.id.size());
    auto sig = crypto::Ed25519Sign(o.key, SubscribeSignedBytes(h, o.id));
    f.mutable_subscribe()->set_signature(sig.data(), sig.size());
    return f;
  }
  static pb::ClientFrame AckFrame(uint64_t rid, const Owner& o, uint64_t message_id) {
    pb::ClientFrame f;
    f.set_request_id(rid);
    f.mutable_ack()->set_mailbox_id(o.id.data(), o.id.size());
    f.mutable_ack()->set_message_id(message_id);
    return f;
  }
  static pb::ClientFrame PingFrame(uint64_t rid) {
    pb::ClientFrame f;
    f.set_request_id(rid);
    f.mutable_ping();
    return f;
  }
  Owner CreateMailboxOrDie(TestClient& c) {
    Owner o = Owner::Random();
    auto r = c.Call(CreateFrame(1000, o));
    EXPECT_TRUE(r && r->code() == pb::Response::OK);
    return o;
  }
  // Reads n deliveries (skipping responses).
  static std::vector<pb::Delivery> ReadDeliveries(TestClient& c, size_t n) {
    std::vector<pb::Delivery> out;
    while (out.size() < n) {
      auto f = c.Read();
      if (!f) break;
      if (f->has_delivery()) out.push_back(f->delivery());
    }
    return out;
  }

  const std::string seed_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  ::testing::ScopedTrace trace_{__FILE__, __LINE__, "random seed: " + seed_};
  ManualClock clock_{};
  SeededRandom random_{seed_};
  TempDir dir_{};
  ServerConfig config_{};
  crypto::X25519PublicKey relay_key_{};
  ByteArray<kTokenSize> credential_{};
  std::unique_ptr<SqliteMailboxStore> store_{};
  std::unique_ptr<SqliteMailboxStore> read_store_{};
  std::unique_ptr<GroupCommitter> committer_{};
  std::unique_ptr<GroupCommitter> reader_{};
  asio::io_context io_{1};
  std::unique_ptr<RelayServer> server_{};
  std::thread io_thread_{};
  uint16_t port_ = 0;
};

TEST_F(ServerTest, SendSubscribeDeliverAckAndRedeliverUnacked) {
  Start();
  auto owner_conn = Connect();
  Owner o = CreateMailboxOrDie(*owner_conn);
  auto sender = Connect();
  for (uint64_t i = 1; i <= 3; ++i) {
    auto r = sender->Call(SendFrame(i, o, "msg" + std::to_string(i)));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code(), pb::Response::OK);
    EXPECT_EQ(r->message_id(), i);
  }
  std::vector<pb::Delivery> got;
  auto sub = owner_conn->Call(SubscribeFrame(2, o, owner_conn->handshake_hash()), &got);
  ASSERT_TRUE(sub);
  ASSERT_EQ(sub->code(), pb::Response::OK);
  auto more = ReadDeliveries(*owner_conn, 3 - got.size());
  got.insert(got.end(), more.begin(), more.end());
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].message_id(), i + 1);
    EXPECT_EQ(got[i].blob(), "msg" + std::to_string(i + 1));
  }
  ASSERT_EQ(owner_conn->Call(AckFrame(3, o, 1))->code(), pb::Response::OK);
  ASSERT_EQ(owner_conn->Call(AckFrame(4, o, 2))->code(), pb::Response::OK);
  // Acks are idempotent.
  ASSERT_EQ(owner_conn->Call(AckFrame(5, o, 2))->code(), pb::Response::OK);

  // A new message is pushed at once to the subscribed connection.
  ASSERT_EQ(sender->Call(SendFrame(9, o, "live"))->code(), pb::Response::OK);
  auto live = ReadDeliveries(*owner_conn, 1);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].message_id(), 4u);
  EXPECT_EQ(live[0].blob(), "live");

  // A second connection gets what was not acked (3 and 4), oldest first.
  auto again = Connect();
  std::vector<pb::Delivery> redelivered;
  ASSERT_EQ(again->Call(SubscribeFrame(1, o, again->handshake_hash()), &redelivered)->code(),
            pb::Response::OK);
  auto rest = ReadDeliveries(*again, 2 - redelivered.size());
  redelivered.insert(redelivered.end(), rest.begin(), rest.end());
  ASSERT_EQ(redelivered.size(), 2u);
  EXPECT_EQ(redelivered[0].message_id(), 3u);
  EXPECT_EQ(redelivered[1].message_id(), 4u);
}

TEST_F(ServerTest, AckFreesTheWindowSlotBeforeItsDeletionCommits) {
  config_.limits.delivery_window = 1;
  Start();
  auto owner_conn = Connect();
  Owner o = CreateMailboxOrDie(*owner_conn);
  for (uint64_t i = 1; i <= 3; ++i) {
    ASSERT_EQ(owner_conn->Call(SendFrame(i, o, "msg" + std::to_string(i)))->code(),
              pb::Response::OK);
  }
  std::vector<pb::Delivery> got;
  ASSERT_EQ(owner_conn->Call(SubscribeFrame(10, o, owner_conn->handshake_hash()), &got)->code(),
            pb::Response::OK);
  if (got.empty()) got = ReadDeliveries(*owner_conn, 1);
  ASSERT_EQ(got.size(), 1u);  // window 1
  EXPECT_EQ(got[0].message_id(), 1u);

  // Hold the committer inside a batch: no deletion can commit meanwhile.
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(committer_->Submit([&, released](MailboxStore&) -> GroupCommitter::Completion {
    entered.set_value();
    released.wait();
    return nullptr;
  }));
  entered.get_future().wait();

  // The ack's slot frees on arrival: message 2 comes while the ack's OK
  // still waits for its commit.
  ASSERT_TRUE(owner_conn->SendFrame(AckFrame(11, o, 1)));
  auto next = owner_conn->Read();
  release.set_value();
  ASSERT_TRUE(next.has_value());
  ASSERT_TRUE(next->has_delivery()) << "the ack was answered before its deletion committed";
  EXPECT_EQ(next->delivery().message_id(), 2u);
  auto ack = owner_conn->Read();
  ASSERT_TRUE(ack && ack->has_response());
  EXPECT_EQ(ack->response().request_id(), 11u);
  EXPECT_EQ(ack->response().code(), pb::Response::OK);

  // Acked messages never come back on this connection; the rest follows.
  std::vector<pb::Delivery> rest;
  ASSERT_EQ(owner_conn->Call(AckFrame(12, o, 2), &rest)->code(), pb::Response::OK);
  if (rest.empty()) rest = ReadDeliveries(*owner_conn, 1);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].message_id(), 3u);
  std::vector<pb::Delivery> extra;
  ASSERT_EQ(owner_conn->Call(AckFrame(13, o, 3), &extra)->code(), pb::Response::OK);
  ASSERT_EQ(owner_conn->Call(PingFrame(14), &extra)->code(), pb::Response::OK);
  EXPECT_TRUE(extra.empty());
}

TEST_F(ServerTest, ReplayedSignatureWrongCapabilityAndAckWithoutSubscription) {
  Start();
  auto a = Connect();
  Owner o = CreateMailboxOrDie(*a);
  auto b = Connect();
  // A's subscription signature replayed on B's connection.
  auto replay = b->Call(SubscribeFrame(1, o, a->handshake_hash()));
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->code(), pb::Response::UNAUTHORIZED);
  EXPECT_EQ(b->Call(AckFrame(2, o, 1))->code(), pb::Response::UNAUTHORIZED);
  Owner wrong{o.id, o.key.Clone(), o.capability};
  wrong.capability = crypto::SystemRandom().Array<kTokenSize>();
  EXPECT_EQ(b->Call(SendFrame(3, wrong, "x"))->code(), pb::Response::UNAUTHORIZED);
  // The connection survived all of that.
  EXPECT_EQ(b->Call(PingFrame(4))->code(), pb::Response::OK);
  // Subscribing twice on one connection.
  ASSERT_EQ(a->Call(SubscribeFrame(5, o, a->handshake_hash()))->code(), pb::Response::OK);
  EXPECT_EQ(a->Call(SubscribeFrame(6, o, a->handshake_hash()))->code(),
            pb::Response::ALREADY_EXISTS);
}

TEST_F(ServerTest, QuotaExceededReachesTheClient) {
  config_.mailbox.max_messages_per_mailbox = 2;
  Start();
  auto c = Connect();
  Owner o = CreateMailboxOrDie(*c);
  EXPECT_EQ(c->Call(SendFrame(1, o, "a"))->code(), pb::Response::OK);
  EXPECT_EQ(c->Call(SendFrame(2, o, "b"))->code(), pb::Response::OK);
  EXPECT_EQ(c->Call(SendFrame(3, o, "c"))->code(), pb::Response::QUOTA_EXCEEDED);
}

TEST_F(ServerTest, HostileInputClosesOnlyThatConnection) {
  config_.limits.max_frame_size = 4096;
  Start();
  auto good = Connect();

  {  // Not a Noise handshake.
    TestClient c(port_);
    Bytes junk(48, 0x41);
    ASSERT_TRUE(c.SendRaw(noise::EncodeFrame(junk)));
    EXPECT_TRUE(c.WaitClosed());
  }
  {  // Handshake message of the wrong size.
    TestClient c(port_);
    Bytes junk(100, 0x41);
    ASSERT_TRUE(c.SendRaw(noise::EncodeFrame(junk)));
    EXPECT_TRUE(c.WaitClosed());
  }
  {  // Transport frame that does not decrypt.
    auto c = Connect();
    Bytes junk(64, 0x42);
    ASSERT_TRUE(c->SendRaw(noise::EncodeFrame(junk)));
    EXPECT_TRUE(c->WaitClosed());
  }
  {  // Decrypts, but is not a protobuf.
    auto c = Connect();
    const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    ASSERT_TRUE(c->SendPlaintext(ByteView(garbage, sizeof garbage)));
    EXPECT_TRUE(c->WaitClosed());
  }
  {  // A frame header above max_frame_size: closed without waiting for a body.
    auto c = Connect();
    const uint8_t header[] = {0x20, 0x00};
    ASSERT_TRUE(c->SendRaw(ByteView(header, 2)));
    EXPECT_TRUE(c->WaitClosed());
  }
  {  // A zero-length frame.
    auto c = Connect();
    const uint8_t header[] = {0x00, 0x00};
    ASSERT_TRUE(c->SendRaw(ByteView(header, 2)));
    EXPECT_TRUE(c->WaitClosed());
  }
  {  // Well-formed protobuf, invalid request: BAD_REQUEST, then closed.
    auto c = Connect();
    pb::ClientFrame f;
    f.set_request_id(42);
    f.mutable_send()->set_mailbox_id("short");
    auto r = c->Call(f);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code(), pb::Response::BAD_REQUEST);
    EXPECT_EQ(r->request_id(), 42u);
    EXPECT_TRUE(c->WaitClosed());
  }
  // Everyone else is still served.
  auto r = good->Call(PingFrame(1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code(), pb::Response::OK);
  auto fresh = Connect();
  EXPECT_EQ(fresh->Call(PingFrame(2))->code(), pb::Response::OK);
}

TEST_F(ServerTest, HandshakeAndIdleTimeoutsCloseStalledClients) {
  config_.limits.handshake_timeout_ms = 300;
  config_.limits.idle_timeout_seconds = 1;
  Start();
  TestClient silent(port_);  // never sends a byte
  auto stalled = Connect();
  const uint8_t half[] = {0x01, 0x00, 0x55};  // header says 256, 1 byte sent
  ASSERT_TRUE(stalled->SendRaw(ByteView(half, sizeof half)));
  auto pinger = Connect();
  ASSERT_TRUE(WaitAccepted(3));

  AdvanceAndTick(std::chrono::milliseconds(299));
  EXPECT_EQ(Stats().timeouts, 0u) << "handshake deadline not reached yet";
  AdvanceAndTick(std::chrono::milliseconds(2));
  EXPECT_TRUE(silent.WaitClosed());
  EXPECT_EQ(Stats().timeouts, 1u) << "only the handshake timed out";

  // A complete frame resets the idle deadline; half a frame does not.
  AdvanceAndTick(std::chrono::milliseconds(600));
  ASSERT_EQ(pinger->Call(PingFrame(1))->code(), pb::Response::OK);
  AdvanceAndTick(std::chrono::milliseconds(500));  // stalled: 1.1 s since its handshake
  EXPECT_TRUE(stalled->WaitClosed());
  EXPECT_EQ(Stats().timeouts, 2u);
  EXPECT_EQ(pinger->Call(PingFrame(2))->code(), pb::Response::OK) << "pinged 0.5 s ago: open";
}

TEST_F(ServerTest, RateLimitAnswersRateLimited) {
  config_.limits.requests_per_second = 1;
  config_.limits.request_burst = 3;
  Start();
  auto c = Connect();
  std::vector<pb::Response::Code> codes;
  for (uint64_t i = 1; i <= 6; ++i) codes.push_back(c->Call(PingFrame(i))->code());
  const std::vector<pb::Response::Code> burst_then_limited = {
      pb::Response::OK,           pb::Response::OK,           pb::Response::OK,
      pb::Response::RATE_LIMITED, pb::Response::RATE_LIMITED, pb::Response::RATE_LIMITED};
  EXPECT_EQ(codes, burst_then_limited);
  // One second refills one token.
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(c->Call(PingFrame(7))->code(), pb::Response::OK);
  EXPECT_EQ(c->Call(PingFrame(8))->code(), pb::Response::RATE_LIMITED);
}

// docs/PROTOCOL.md (part mailbox) section 5: pipelined requests beyond the
// burst are answered RATE_LIMITED, every one of them, and the connection
// stays open (the reader stops while the write queue is full instead).
TEST_F(ServerTest, TenThousandPipelinedPingsGetTheBurstThenRateLimited) {
  Start();
  auto c = Connect();
  constexpr uint64_t kPings = 10000;
  std::thread writer([&] {
    for (uint64_t i = 1; i <= kPings; ++i) {
      if (!c->SendFrame(PingFrame(i))) return;
    }
  });
  uint64_t ok = 0, limited = 0, next = 1;
  for (uint64_t i = 0; i < kPings; ++i) {
    auto f = c->Read();
    if (!f) break;
    ASSERT_TRUE(f->has_response());
    EXPECT_EQ(f->response().request_id(), next++) << "answers come in request order";
    if (f->response().code() == pb::Response::OK) ok++;
    if (f->response().code() == pb::Response::RATE_LIMITED) limited++;
  }
  writer.join();
  EXPECT_EQ(ok, static_cast<uint64_t>(config_.limits.request_burst));
  EXPECT_EQ(ok + limited, kPings);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(c->Call(PingFrame(kPings + 1))->code(), pb::Response::OK) << "still connected";
}

// Expiry reads the injected clock: an expired message is never delivered,
// and the purge runs when the clock says it is due.
TEST_F(ServerTest, ExpiredMessagesAreNeverDelivered) {
  config_.mailbox.message_ttl_seconds = 2;
  config_.mailbox.purge_interval_seconds = 1;
  Start();
  auto c = Connect();
  Owner o = CreateMailboxOrDie(*c);
  ASSERT_EQ(c->Call(SendFrame(1, o, "expires"))->code(), pb::Response::OK);
  AdvanceAndTick(std::chrono::seconds(2));  // expires_at = now: expired
  auto fresh = c->Call(SendFrame(2, o, "fresh"));
  ASSERT_EQ(fresh->code(), pb::Response::OK);
  std::vector<pb::Delivery> got;
  ASSERT_EQ(c->Call(SubscribeFrame(3, o, c->handshake_hash()), &got)->code(), pb::Response::OK);
  if (got.empty()) got = ReadDeliveries(*c, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_id(), fresh->message_id());
  EXPECT_EQ(got[0].blob(), "fresh");
  // Nothing else follows: a ping's answer is the next frame.
  ASSERT_TRUE(c->SendFrame(PingFrame(4)));
  auto next = c->Read();
  ASSERT_TRUE(next);
  EXPECT_TRUE(next->has_response());
}

// Before the handshake only a 48-byte frame is accepted: any other length is
// refused at its header, without waiting for (or buffering) its body.
TEST_F(ServerTest, OnlyA48ByteFrameIsAcceptedBeforeTheHandshake) {
  Start();
  for (uint16_t len : {uint16_t{47}, uint16_t{49}, uint16_t{1000}, uint16_t{65535}}) {
    TestClient c(port_);
    const uint8_t header[] = {static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len & 0xff)};
    ASSERT_TRUE(c.SendRaw(ByteView(header, sizeof header)));
    EXPECT_TRUE(c.WaitClosed()) << "length " << len;
  }
  EXPECT_GE(Stats().handshake_failures, 4u);
  EXPECT_EQ(Connect()->Call(PingFrame(1))->code(), pb::Response::OK);
}

// At max_pending_handshakes the oldest unfinished handshake gives way, so
// half-open connections never lock a real client out.
TEST_F(ServerTest, HalfOpenConnectionsBeyondTheCapEvictTheOldest) {
  config_.limits.max_pending_handshakes = 2;
  Start();
  TestClient first(port_);
  ASSERT_TRUE(WaitAccepted(1));
  TestClient second(port_);
  ASSERT_TRUE(WaitAccepted(2));
  auto real = Connect();  // the third: evicts `first`
  ASSERT_TRUE(real->ok());
  EXPECT_TRUE(first.WaitClosed());
  EXPECT_EQ(real->Call(PingFrame(1))->code(), pb::Response::OK);
  EXPECT_EQ(Stats().open_connections, 2u);  // second (half-open) and real
}

TEST_F(ServerTest, ConnectionsPerAddressAreCapped) {
  config_.limits.max_connections_per_address = 2;
  Start();
  auto a = Connect();
  auto b = Connect();
  TestClient c(port_);
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_EQ(Stats().rejected, 1u);
  a.reset();  // a slot comes back once the relay sees the close
  for (int i = 0; i < 100000 && Stats().open_connections > 1; ++i) std::this_thread::yield();
  auto d = Connect();
  EXPECT_EQ(d->Call(PingFrame(1))->code(), pb::Response::OK);
}

TEST_F(ServerTest, HandshakeRatePerAddressIsCapped) {
  config_.limits.handshakes_per_second_per_address = 1;
  config_.limits.handshake_burst_per_address = 2;
  Start();
  auto a = Connect();
  auto b = Connect();
  EXPECT_TRUE(a->ok() && b->ok());
  TestClient c(port_, relay_key_);
  EXPECT_FALSE(c.ok()) << "third handshake within the burst window is refused";
  clock_.Advance(std::chrono::seconds(1));
  TestClient d(port_, relay_key_);
  EXPECT_TRUE(d.ok());
}

TEST_F(ServerTest, ConnectionLimitRefusesExtraConnections) {
  config_.limits.max_connections = 2;
  Start();
  auto a = Connect();
  auto b = Connect();
  TestClient c(port_);
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_EQ(a->Call(PingFrame(1))->code(), pb::Response::OK);
}

TEST_F(ServerTest, ConcurrentSendersAreAllAckedAndDeliveredInOrder) {
  Start();
  auto owner = Connect();
  Owner o = CreateMailboxOrDie(*owner);
  constexpr int kSenders = 8;
  constexpr int kEach = 50;
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> ids(kSenders);
  for (int s = 0; s < kSenders; ++s) {
    threads.emplace_back([&, s] {
      TestClient c(port_, relay_key_);
      if (!c.ok()) return;
      // Pipeline all sends, then collect the replies.
      for (int i = 0; i < kEach; ++i) c.SendFrame(SendFrame(i + 1, o, "s" + std::to_string(s)));
      for (int i = 0; i < kEach; ++i) {
        auto f = c.Read();
        if (!f || f->response().code() != pb::Response::OK) return;
        ids[s].push_back(f->response().message_id());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> all;
  for (auto& v : ids) {
    EXPECT_EQ(v.size(), static_cast<size_t>(kEach));
    all.insert(v.begin(), v.end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(kSenders * kEach));

  std::vector<pb::Delivery> got;
  ASSERT_EQ(owner->Call(SubscribeFrame(1, o, owner->handshake_hash()), &got)->code(),
            pb::Response::OK);
  uint64_t rid = 100;
  uint64_t last = 0;
  size_t received = 0;
  while (received < all.size()) {
    if (got.empty()) {
      auto more = ReadDeliveries(*owner, 1);
      if (more.empty()) break;
      got = more;
    }
    for (const auto& d : got) {
      EXPECT_GT(d.message_id(), last);  // FIFO
      last = d.message_id();
      received++;
      owner->SendFrame(AckFrame(rid++, o, d.message_id()));
    }
    got.clear();
  }
  EXPECT_EQ(received, all.size());
}

// A subscriber that stops reading while big messages arrive: pushes stop at
// its write-queue credit, the write stalls, and once the (manual) clock
// passes the write timeout the sweep closes it. The sender is unaffected.
TEST_F(ServerTest, ReaderThatStopsReadingIsClosedByTheWriteTimeout) {
  config_.limits.write_timeout_seconds = 1;
  config_.limits.delivery_window = 1000;
  Start();
  auto owner = Connect();
  Owner o = CreateMailboxOrDie(*owner);
  ASSERT_EQ(owner->Call(SubscribeFrame(1, o, owner->handshake_hash()))->code(), pb::Response::OK);
  auto sender = Connect();
  const std::string big(kMaxBlobSize, 'z');
  constexpr int kMessages = 300;  // ~18 MB: more than any socket buffer holds
  for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(sender->SendFrame(SendFrame(i + 1, o, big)));
  int ok = 0;
  for (int i = 0; i < kMessages; ++i) {
    auto f = sender->Read(std::chrono::seconds(20));
    ASSERT_TRUE(f);
    if (f->response().code() == pb::Response::OK) ok++;
  }
  EXPECT_EQ(ok, kMessages);
  EXPECT_EQ(Stats().timeouts, 0u) << "no clock time has passed";
  // The pushes are stuck in a full socket. Advance past the write timeout;
  // a write that started after an earlier advance needs one more (bounded).
  for (int i = 0; i < 10 && Stats().timeouts == 0; ++i) AdvanceAndTick(std::chrono::seconds(2));
  EXPECT_EQ(Stats().timeouts, 1u);
  EXPECT_TRUE(owner->WaitClosed());
  EXPECT_EQ(sender->Call(PingFrame(9999))->code(), pb::Response::OK);
}

TEST_F(ServerTest, DeleteEvictsOtherSubscribers) {
  Start();
  auto a = Connect();
  Owner o = CreateMailboxOrDie(*a);
  auto b = Connect();
  ASSERT_EQ(b->Call(SubscribeFrame(1, o, b->handshake_hash()))->code(), pb::Response::OK);
  pb::ClientFrame del;
  del.set_request_id(2);
  del.mutable_delete_mailbox()->set_mailbox_id(o.id.data(), o.id.size());
  auto sig = crypto::Ed25519Sign(o.key, DeleteSignedBytes(a->handshake_hash(), o.id));
  del.mutable_delete_mailbox()->set_signature(sig.data(), sig.size());
  ASSERT_EQ(a->Call(del)->code(), pb::Response::OK);
  EXPECT_TRUE(b->WaitClosed());
  EXPECT_EQ(a->Call(SendFrame(3, o, "x"))->code(), pb::Response::UNAUTHORIZED);
}

}  // namespace
}  // namespace attune::relay
