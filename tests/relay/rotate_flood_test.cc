// Owner-signed requests under hostile load (issue 12, item 3): RotateMailbox
// and DeleteMailbox look the mailbox up before any signature check, the
// Ed25519 verifications run on the read path (never on the committer's
// thread), and the write changes the mailbox only if the owner key is still
// the one verified.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string_view>
#include <thread>
#include <vector>

#include "attune/crypto/ed25519.h"
#include "attune/crypto/util.h"
#include "attune/relay/core/mailbox_logic.h"
#include "attune/relay/server/server.h"
#include "attune/relay/store/group_commit.h"
#include "relay_test_util.h"
#include "test_client.h"

namespace attune::relay {
namespace {

namespace pb = attune::relay::v1;
using testing::NewMailbox;
using testing::Owner;
using testing::TempDir;
using testing::TestClient;

// `o` signs as the owner of mailbox `id` (its own by default).
RotateMailboxRequest SignedRotate(const Owner& o, const Owner& next, const HandshakeHash& h,
                                  const MailboxId* id = nullptr) {
  const MailboxId& mailbox = id != nullptr ? *id : o.id;
  Bytes signed_bytes = RotateSignedBytes(h, mailbox, next.key.public_key, next.cap_hash());
  return RotateMailboxRequest{mailbox, next.key.public_key, next.cap_hash(),
                              crypto::Ed25519Sign(o.key, signed_bytes),
                              crypto::Ed25519Sign(next.key, signed_bytes)};
}

TEST(RotateLogicTest, CommitAppliesOnlyWhileTheVerifiedKeyStillOwnsTheMailbox) {
  TempDir dir;
  auto store = testing::OpenStoreOrDie(dir.file("relay.db"));
  Owner o = Owner::Random();
  Owner next = Owner::Random();
  Owner other = Owner::Random();
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
  HandshakeHash h{};
  h.fill(7);
  RotateMailboxRequest req = SignedRotate(o, next, h);

  RotateCheck check = CheckRotate(*store, req, h);
  ASSERT_TRUE(check.outcome.ok());
  EXPECT_EQ(check.verified_owner_key, o.key.public_key);
  // Rotated elsewhere between the check and the write: refused, unchanged.
  ASSERT_TRUE(store->UpdateMailboxKeys(o.id, other.key.public_key, other.cap_hash()).ok());
  EXPECT_EQ(CommitRotate(*store, req, check.verified_owner_key).code, Code::kUnauthorized);
  EXPECT_EQ(store->GetMailbox(o.id).value()->owner_key, other.key.public_key);
  // Unknown mailbox: refused with the same answer as a bad signature.
  RotateMailboxRequest unknown = req;
  unknown.mailbox_id = Owner::Random().id;
  EXPECT_EQ(CheckRotate(*store, unknown, h).outcome.code, Code::kUnauthorized);
  RotateMailboxRequest bad = SignedRotate(other, next, h, &o.id);
  bad.signature[0] ^= 1;
  EXPECT_EQ(CheckRotate(*store, bad, h).outcome.code, Code::kUnauthorized);
  // The owner handing the mailbox to an invalid key: BAD_REQUEST, unchanged.
  RotateMailboxRequest small_order = SignedRotate(other, next, h, &o.id);
  small_order.new_owner_key = OwnerKey{};  // the identity point: small order
  small_order.new_owner_key[0] = 1;
  small_order.signature = crypto::Ed25519Sign(
      other.key, RotateSignedBytes(h, o.id, small_order.new_owner_key, next.cap_hash()));
  EXPECT_EQ(CheckRotate(*store, small_order, h).outcome.code, Code::kBadRequest);
  EXPECT_EQ(store->GetMailbox(o.id).value()->owner_key, other.key.public_key);
  EXPECT_TRUE(RotateMailbox(*store, SignedRotate(other, next, h, &o.id), h).ok());
  EXPECT_EQ(store->GetMailbox(o.id).value()->owner_key, next.key.public_key);
}

TEST(DeleteLogicTest, CommitDeletesOnlyWhileTheVerifiedKeyStillOwnsTheMailbox) {
  TempDir dir;
  auto store = testing::OpenStoreOrDie(dir.file("relay.db"));
  Owner o = Owner::Random();
  Owner other = Owner::Random();
  ASSERT_TRUE(store->InsertMailbox(NewMailbox(o)).ok());
  HandshakeHash h{};
  h.fill(9);
  const DeleteMailboxRequest req{o.id,
                                 crypto::Ed25519Sign(o.key, mailbox::DeleteSignedBytes(h, o.id))};
  OwnerCheck check = CheckDelete(*store, req, h);
  ASSERT_TRUE(check.outcome.ok());
  EXPECT_EQ(check.verified_owner_key, o.key.public_key);
  // Rotated between the check and the write: refused, still there.
  ASSERT_TRUE(store->UpdateMailboxKeys(o.id, other.key.public_key, other.cap_hash()).ok());
  EXPECT_EQ(CommitDelete(*store, req, check.verified_owner_key).code, Code::kUnauthorized);
  EXPECT_TRUE(store->GetMailbox(o.id).value().has_value());
  // A bad signature and an unknown mailbox get the same answer.
  EXPECT_EQ(CheckDelete(*store, req, h).outcome.code, Code::kUnauthorized);
  DeleteMailboxRequest unknown = req;
  unknown.mailbox_id = Owner::Random().id;
  EXPECT_EQ(CheckDelete(*store, unknown, h).outcome.code, Code::kUnauthorized);
  // The current owner deletes.
  const DeleteMailboxRequest by_owner{
      o.id, crypto::Ed25519Sign(other.key, mailbox::DeleteSignedBytes(h, o.id))};
  EXPECT_TRUE(DeleteMailbox(*store, by_owner, h).ok());
  EXPECT_FALSE(store->GetMailbox(o.id).value().has_value());
}

class RotateFloodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Init().ok());
    config_.listen_address = "127.0.0.1";
    config_.port = 0;
    config_.data_dir = dir_.path();
    config_.limits.idle_timeout_seconds = 30;
    SetLogLevel(LogLevel::kError);
    auto key = crypto::GenerateX25519KeyPair(crypto::SystemRandom());
    relay_key_ = key.public_key;
    store_ = testing::OpenStoreOrDie(dir_.file("relay.db"), /*cache_mailboxes=*/true);
    read_store_ = testing::OpenStoreOrDie(dir_.file("relay.db"));
    ASSERT_TRUE(store_->InsertMailbox(NewMailbox(victim_)).ok());
    ASSERT_TRUE(store_->InsertMailbox(NewMailbox(sender_box_)).ok());
    committer_ = std::make_unique<GroupCommitter>(*store_);
    reader_ = std::make_unique<GroupCommitter>(*read_store_, GroupCommitter::kDefaultMaxBatch,
                                               GroupCommitter::Mode::kReadOnly);
    committer_->Start();
    reader_->Start();
    server_ =
        std::make_unique<RelayServer>(io_, config_, std::move(key), *committer_, reader_.get());
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

  static pb::ClientFrame RotateFrame(uint64_t rid, const RotateMailboxRequest& r) {
    pb::ClientFrame f;
    f.set_request_id(rid);
    auto* m = f.mutable_rotate_mailbox();
    m->set_mailbox_id(r.mailbox_id.data(), r.mailbox_id.size());
    m->set_new_owner_public_key(r.new_owner_key.data(), r.new_owner_key.size());
    m->set_new_send_capability_hash(r.new_cap_hash.data(), r.new_cap_hash.size());
    m->set_signature(r.signature.data(), r.signature.size());
    m->set_new_owner_signature(r.new_owner_signature.data(), r.new_owner_signature.size());
    return f;
  }
  static pb::ClientFrame DeleteFrame(uint64_t rid, const MailboxId& id, const Signature& sig) {
    pb::ClientFrame f;
    f.set_request_id(rid);
    auto* m = f.mutable_delete_mailbox();
    m->set_mailbox_id(id.data(), id.size());
    m->set_signature(sig.data(), sig.size());
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

  // p99 in ms of `n` window-1 sends on `c` (rids from *rid on).
  double SendP99(TestClient& c, int n, uint64_t* rid, double* p50) {
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto r = c.Call(SendFrame((*rid)++, sender_box_, std::string(256, 'm')));
      const auto t1 = std::chrono::steady_clock::now();
      if (!r.has_value() || r->code() != pb::Response::OK) return 1e9;
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    *p50 = ms[ms.size() / 2];
    return ms[ms.size() * 99 / 100];
  }

  // `kAttackers` connections each pipeline bad-signature requests made by
  // `attack(client, rid, i)` (i counts from 0; on the victim's mailbox and
  // on unknown ones), at their full request rate, refused every time.
  // Meanwhile a well-behaved client's sends (window 1) keep p99 <= 50 ms and
  // not one refused request reaches the committer's thread.
  using Attack = std::function<pb::ClientFrame(TestClient& c, uint64_t rid, int i)>;
  void FloodAndMeasureSends(const Attack& attack, const char* what) {
    constexpr int kAttackers = 2;
    constexpr int kPipelined = 256;
    constexpr int kSends = 300;
    // The same client's latency without the flood, to tell a slow machine
    // (six builds on two cores) from a slow relay.
    TestClient sender(port_, relay_key_);
    ASSERT_TRUE(sender.ok());
    uint64_t rid = 1;
    double quiet_p50 = 0;
    const double quiet_p99 = SendP99(sender, 100, &rid, &quiet_p50);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> refused{0};
    std::atomic<uint64_t> accepted{0};
    std::vector<std::thread> attackers;
    for (int a = 0; a < kAttackers; ++a) {
      attackers.emplace_back([&, a] {
        TestClient c(port_, relay_key_);
        if (!c.ok()) return;
        uint64_t rid = 1;
        while (!stop) {
          for (int i = 0; i < kPipelined; ++i) {
            if (!c.SendFrame(attack(c, rid++, i + a))) return;
          }
          for (int i = 0; i < kPipelined; ++i) {
            auto f = c.Read();
            if (!f) return;
            if (!f->has_response()) continue;
            f->response().code() == pb::Response::OK ? accepted++ : refused++;
          }
        }
      });
    }
    // Let the flood reach full rate first.
    const auto warmup = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (refused.load() < 2000 && std::chrono::steady_clock::now() < warmup) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_GE(refused.load(), 2000u) << "the flood did not start";
    const uint64_t committed_before = committer_->stats().operations;
    const uint64_t refused_before = refused.load();

    double p50 = 0;
    const double p99 = SendP99(sender, kSends, &rid, &p50);
    const uint64_t refused_during = refused.load();
    // Not one refused request reached the committer's thread: it ran only
    // the sends. (Its stats are updated just after the last completion.)
    for (int i = 0; i < 1000 && committer_->pending() != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(committer_->stats().operations - committed_before, static_cast<uint64_t>(kSends));
    stop = true;
    for (auto& t : attackers) t.join();

    EXPECT_EQ(accepted.load(), 0u);
    EXPECT_GE(refused_during - refused_before, 1000u);  // the flood ran alongside

    ASSERT_LT(p99, 1e9) << "a send failed during the flood";
    RecordProperty("flood_p99_ms", std::to_string(p99));
    RecordProperty("quiet_p99_ms", std::to_string(quiet_p99));
    // Latency on a shared machine (a parallel ctest, a sanitizer build)
    // measures the machine: the 50 ms bound is enforced on a quiet machine
    // with ATTUNE_ASSERT_LATENCY=1, as in relay_load_test.cc.
    const char* assert_latency = std::getenv("ATTUNE_ASSERT_LATENCY");
    if (assert_latency == nullptr || std::string_view(assert_latency) != "1") {
      std::printf("%s flood: p50 %.1f ms, p99 %.1f ms (quiet p99 %.1f ms)\n", what, p50, p99,
                  quiet_p99);
      return;
    }
    if (quiet_p99 > 10.0) {
      GTEST_SKIP() << "machine too loaded to judge latency: p99 " << quiet_p99
                   << " ms without the flood (flood: p50 " << p50 << ", p99 " << p99 << " ms)";
    }
    EXPECT_LE(p99, 50.0) << "p50 " << p50 << " ms; without the flood p50 " << quiet_p50 << ", p99 "
                         << quiet_p99 << " ms";
  }

  TempDir dir_{};
  ServerConfig config_{};
  crypto::X25519PublicKey relay_key_{};
  Owner victim_ = Owner::Random();
  Owner sender_box_ = Owner::Random();
  std::unique_ptr<SqliteMailboxStore> store_{};
  std::unique_ptr<SqliteMailboxStore> read_store_{};
  std::unique_ptr<GroupCommitter> committer_{};
  std::unique_ptr<GroupCommitter> reader_{};
  asio::io_context io_{1};
  std::unique_ptr<RelayServer> server_{};
  std::thread io_thread_{};
  uint16_t port_ = 0;
};

// RotateMailbox with bad signatures (a key that does not own the mailbox),
// on unknown mailboxes and on a known one; the owner can still rotate
// afterwards.
TEST_F(RotateFloodTest, BadSignatureFloodDoesNotSlowSends) {
  Owner fake = Owner::Random();
  FloodAndMeasureSends(
      [&](TestClient& c, uint64_t rid, int i) {
        RotateMailboxRequest r = SignedRotate(fake, fake, c.handshake_hash(), &victim_.id);
        if (i % 2 == 0) r.mailbox_id = crypto::SystemRandom().Array<kMailboxIdSize>();
        return RotateFrame(rid, r);
      },
      "rotate");
  // The owner still rotates (the flood changed nothing).
  TestClient owner(port_, relay_key_);
  ASSERT_TRUE(owner.ok());
  Owner next = Owner::Random();
  auto r = owner.Call(RotateFrame(1, SignedRotate(victim_, next, owner.handshake_hash())));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->code(), pb::Response::OK);
}

// DeleteMailbox the same way: bad signatures on the victim's mailbox and on
// unknown ones. None deletes anything; the owner can still delete it.
TEST_F(RotateFloodTest, BadDeleteSignatureFloodDoesNotSlowSends) {
  Owner fake = Owner::Random();
  FloodAndMeasureSends(
      [&](TestClient& c, uint64_t rid, int i) {
        MailboxId id = victim_.id;
        if (i % 2 == 0) id = crypto::SystemRandom().Array<kMailboxIdSize>();
        const Signature sig =
            crypto::Ed25519Sign(fake.key, mailbox::DeleteSignedBytes(c.handshake_hash(), id));
        return DeleteFrame(rid, id, sig);
      },
      "delete");
  // Nothing was deleted: the victim's mailbox is still there, and its owner
  // can delete it.
  auto check_store = testing::OpenStoreOrDie(dir_.file("relay.db"));  // its own connection
  auto still = check_store->GetMailbox(victim_.id);
  ASSERT_TRUE(still.ok());
  ASSERT_TRUE(still->has_value());
  TestClient owner(port_, relay_key_);
  ASSERT_TRUE(owner.ok());
  const Signature sig = crypto::Ed25519Sign(
      victim_.key, mailbox::DeleteSignedBytes(owner.handshake_hash(), victim_.id));
  auto r = owner.Call(DeleteFrame(1, victim_.id, sig));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->code(), pb::Response::OK);
}

}  // namespace
}  // namespace attune::relay
