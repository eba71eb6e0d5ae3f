// Flow control and hostile load against a real attune-relay process
// (docs/PROTOCOL.md (part mailbox) section 5): a client that reads is never
// cut off, pipelined requests get answers instead of a close, and floods of
// half-open sockets or pipelined 60 KiB sends are bounded in memory while a
// well-behaved client keeps being served quickly.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>
#include <set>
#include <string>
#include <thread>

#include "attune/mailbox/client_codec.h"
#include "attune/testing/net_util.h"
#include "raw_relay_client.h"
#include "relay_test_util.h"

namespace attune::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Documented in docs/deploy.md (limits): what the relay may hold under the
// floods below, measured as VmRSS.
#if defined(__SANITIZE_ADDRESS__)
// AddressSanitizer keeps freed memory in quarantine (256 MiB by default) and
// adds shadow memory: the relay's own bound gets that allowance under asan.
constexpr uint64_t kAsanAllowanceKiB = 320 * 1024;
#else
constexpr uint64_t kAsanAllowanceKiB = 0;
#endif
constexpr uint64_t kHalfOpenRssBoundKiB = 96 * 1024 + kAsanAllowanceKiB;
constexpr uint64_t kSenderFloodRssBoundKiB = 192 * 1024 + kAsanAllowanceKiB;
// What an idle connection (handshake done, nothing in flight) may cost the
// relay, in bytes of RSS (issue 12: at most 1,024). Not enforced under asan,
// whose allocator adds redzones and shadow memory to every allocation.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kIdleBoundEnforced = false;
#else
constexpr bool kIdleBoundEnforced = true;
#endif
constexpr double kIdleConnectionBoundBytes = 1024;
// The relay's maximum blob (60 KiB, docs/PROTOCOL.md (part mailbox) section 5).
constexpr size_t kMaxBlobSizeForTest = 61440;

// Sends `count` blobs of `size` bytes to `mailbox`, pipelined.
void FillMailbox(net::RelayConnection& c, const TestMailbox& mailbox, size_t count, size_t size) {
  const Bytes blob(size, 0x5a);
  std::vector<uint64_t> pending;
  for (size_t i = 0; i < count; ++i) {
    auto id = c.SendNoWait(mailbox.id, mailbox.capability.span(), blob);
    ASSERT_TRUE(id.ok()) << id.error().ToString();
    pending.push_back(*id);
    if (pending.size() == 128 || i + 1 == count) {
      for (uint64_t r : pending) {
        // A pipelined send may be answered RATE_LIMITED (nothing stored);
        // as PROTOCOL.md section 5.1 says, send it again: the blocking Send
        // retries with backoff.
        if (c.AwaitSend(r).ok()) continue;
        auto again = c.Send(mailbox.id, mailbox.capability.span(), blob);
        ASSERT_TRUE(again.ok()) << again.error().ToString();
      }
      pending.clear();
    }
  }
}

// Issue 12: four backlogs of 140 × 1,500 bytes drained by one connection
// that acks every delivery as it arrives. The relay used to close it after
// 1–143 deliveries ("write queue full").
TEST(RelayLoad, OneConnectionDrainsFourBacklogsWhileAcking) {
  constexpr size_t kMailboxes = 4, kEach = 140, kSize = 1500;
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  ATTUNE_CONNECT_OR_FAIL(sender, **relay);
  std::vector<TestMailbox> mailboxes;
  for (size_t i = 0; i < kMailboxes; ++i) {
    mailboxes.push_back(NewMailboxKeys());
    ATTUNE_ASSERT_OK(CreateWithCredential(*sender, mailboxes.back(), (*relay)->credential()));
    FillMailbox(*sender, mailboxes.back(), kEach, kSize);
  }
  ATTUNE_CONNECT_OR_FAIL(reader, **relay);
  for (const TestMailbox& m : mailboxes) ATTUNE_ASSERT_OK(reader->Subscribe(m.id, m.owner));
  std::set<std::pair<net::MailboxId, uint64_t>> seen;
  while (seen.size() < kMailboxes * kEach) {
    auto d = reader->NextDelivery(seconds(10));
    ASSERT_TRUE(d.ok()) << "after " << seen.size() << " deliveries: " << d.error().ToString();
    ASSERT_TRUE(d->has_value()) << "stalled after " << seen.size() << " deliveries";
    EXPECT_EQ((*d)->blob.size(), kSize);
    seen.insert({(*d)->mailbox_id, (*d)->message_id});
    ATTUNE_ASSERT_OK(reader->Ack((*d)->mailbox_id, (*d)->message_id));
  }
  EXPECT_EQ(seen.size(), kMailboxes * kEach);
  EXPECT_TRUE(reader->is_open());
  ATTUNE_ASSERT_OK(reader->Ping());
}

// 64 subscriptions × a full window of 128 unacked deliveries (12 MB) cannot
// fit any write queue: the relay pushes as the socket drains and never
// closes a connection that reads.
TEST(RelayLoad, SixtyFourFullWindowsReachAReader) {
  constexpr size_t kMailboxes = 64, kEach = 128, kSize = 1500;
  // The reader is what this test is about: the sender may fill the
  // backlogs faster than the default request rate allows.
  auto relay = RelayUnderTest::Start(
      {{"limits", {{"requests_per_second", "100000"}, {"request_burst", "100000"}}}});
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  ATTUNE_CONNECT_OR_FAIL(sender, **relay);
  std::vector<TestMailbox> mailboxes;
  for (size_t i = 0; i < kMailboxes; ++i) {
    mailboxes.push_back(NewMailboxKeys());
    ATTUNE_ASSERT_OK(CreateWithCredential(*sender, mailboxes.back(), (*relay)->credential()));
    FillMailbox(*sender, mailboxes.back(), kEach, kSize);
  }
  ATTUNE_CONNECT_OR_FAIL(reader, **relay);
  std::map<net::MailboxId, size_t> per_mailbox;
  size_t total = 0;
  for (const TestMailbox& m : mailboxes) {
    ATTUNE_ASSERT_OK(reader->Subscribe(m.id, m.owner));
    // Take what has arrived, as a client does between requests.
    for (;;) {
      auto d = reader->NextDelivery(milliseconds(0));
      ASSERT_TRUE(d.ok()) << d.error().ToString();
      if (!d->has_value()) break;
      per_mailbox[(*d)->mailbox_id]++;
      total++;
    }
  }
  while (total < kMailboxes * kEach) {
    auto d = reader->NextDelivery(seconds(10));
    ASSERT_TRUE(d.ok()) << "after " << total << " deliveries: " << d.error().ToString();
    ASSERT_TRUE(d->has_value()) << "stalled after " << total << " deliveries";
    per_mailbox[(*d)->mailbox_id]++;
    total++;
  }
  EXPECT_EQ(per_mailbox.size(), kMailboxes);
  for (const auto& [id, n] : per_mailbox) EXPECT_EQ(n, kEach);
  // Windows full: nothing more comes until an ack, and the connection is fine.
  ATTUNE_ASSERT_OK(reader->Ping());
  EXPECT_TRUE(reader->is_open());
}

// 10,000 pipelined pings: the burst is answered OK, the rest RATE_LIMITED,
// every one answered, and the connection stays open.
TEST(RelayLoad, TenThousandPipelinedPingsAreAllAnswered) {
  constexpr uint64_t kPings = 10000;
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  auto raw = RawRelayClient::Connect((*relay)->port());
  ASSERT_TRUE(raw.ok());
  ATTUNE_ASSERT_OK(raw->Handshake((*relay)->public_key(), seconds(5)));
  // Writes and reads use separate cipher states and socket directions.
  std::thread writer([&] {
    for (uint64_t i = 1; i <= kPings; ++i) {
      if (!raw->SendPlaintext(mailbox::EncodePing(i)).ok()) return;
    }
  });
  uint64_t ok = 0, limited = 0;
  for (uint64_t i = 0; i < kPings; ++i) {
    auto m = raw->Receive(seconds(10));
    if (!m.ok()) break;
    ASSERT_TRUE(std::holds_alternative<net::RelayResponse>(*m));
    const auto& r = std::get<net::RelayResponse>(*m);
    if (r.code == net::RelayCode::kOk) ok++;
    if (r.code == net::RelayCode::kRateLimited) limited++;
  }
  writer.join();
  EXPECT_EQ(ok + limited, kPings) << ok << " OK, " << limited << " RATE_LIMITED";
  EXPECT_GE(ok, 4000u) << "the default burst";
  ATTUNE_ASSERT_OK(raw->SendPlaintext(mailbox::EncodePing(kPings + 1)));
  EXPECT_TRUE(raw->Receive(seconds(5)).ok()) << "connection must stay open";
}

// 4,000 clients connect, shake hands and then wait, as clients do between
// messages: each costs the relay at most 1 KiB of resident memory (no read
// buffer, no coroutine, only the socket's wait), and each is still answered
// at once when it speaks again.
TEST(RelayLoad, AnIdleConnectionCostsTheRelayAtMostOneKiB) {
  constexpr size_t kConnections = 4000;
  ASSERT_GE(RaiseFileLimit(kConnections + 1000), kConnections + 500);
  auto relay = RelayUnderTest::Start({{"limits",
                                       {{"max_connections_per_address", "20000"},
                                        {"handshakes_per_second_per_address", "100000"},
                                        {"handshake_burst_per_address", "100000"},
                                        {"handshakes_per_second", "100000"},
                                        {"handshake_burst", "100000"}}}});
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  RelayUnderTest& r = **relay;
  {
    // Warm up: the first connection's one-off allocations are not idle cost.
    auto first = RawRelayClient::Connect(r.port());
    ASSERT_TRUE(first.ok());
    ATTUNE_ASSERT_OK(first->Handshake(r.public_key(), seconds(5)));
    ATTUNE_ASSERT_OK(first->SendPlaintext(mailbox::EncodePing(1)));
    ASSERT_TRUE(first->Receive(seconds(5)).ok());
  }
  const auto before = r.process().RssKiB();
  ASSERT_TRUE(before.has_value());
  std::vector<RawRelayClient> clients;
  clients.reserve(kConnections);
  for (size_t i = 0; i < kConnections; ++i) {
    auto c = RawRelayClient::Connect(r.port());
    ASSERT_TRUE(c.ok()) << "connection " << i << ": " << c.error().ToString();
    ATTUNE_ASSERT_OK(c->Handshake(r.public_key(), seconds(5)));
    clients.push_back(std::move(*c));
  }
  const auto after = r.process().RssKiB();
  ASSERT_TRUE(after.has_value());
  const double per_connection = (static_cast<double>(*after) - static_cast<double>(*before)) *
                                1024.0 / static_cast<double>(kConnections);
  std::printf(
      "idle connections: relay RSS %llu KiB before, %llu KiB with %zu more: %.0f bytes each\n",
      static_cast<unsigned long long>(*before), static_cast<unsigned long long>(*after),
      kConnections, per_connection);
  RecordProperty("idle_connection_bytes", std::to_string(per_connection));
  if (kIdleBoundEnforced) {
    EXPECT_LE(per_connection, kIdleConnectionBoundBytes);
  }
  // All still served: a ping on every one, answered.
  for (size_t i = 0; i < clients.size(); ++i) {
    ATTUNE_ASSERT_OK(clients[i].SendPlaintext(mailbox::EncodePing(i + 2)));
  }
  for (size_t i = 0; i < clients.size(); ++i) {
    auto m = clients[i].Receive(seconds(10));
    ASSERT_TRUE(m.ok()) << "connection " << i << ": " << m.error().ToString();
    ASSERT_TRUE(std::holds_alternative<net::RelayResponse>(*m));
    EXPECT_EQ(std::get<net::RelayResponse>(*m).code, net::RelayCode::kOk);
  }
}

// A loopback socket from `source` (127.0.0.x) that sends 3 bytes of a
// handshake and stops. -1 when the connect failed.
int HalfOpen(uint32_t source, uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(source);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(port);
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    ::close(fd);
    return -1;
  }
  const uint8_t bytes[] = {0x00, 0x30, 0x01};
  (void)::send(fd, bytes, sizeof bytes, MSG_NOSIGNAL);
  return fd;
}

// Sends `n` messages one at a time; returns each round trip.
std::vector<double> TimedSends(net::RelayConnection& c, const TestMailbox& m, size_t n) {
  std::vector<double> ms;
  const Bytes blob(256, 0x42);
  for (size_t i = 0; i < n; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto id = c.Send(m.id, m.capability.span(), blob);
    if (!id.ok()) {
      ADD_FAILURE() << "send " << i << ": " << id.error().ToString();
      break;
    }
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return ms;
}

double P99(std::vector<double> v) {
  if (v.empty()) return 1e9;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, v.size() * 99 / 100)];
}

// The well-behaved client's p99 under a flood must stay within 50 ms
// (issue 12). Latency on a shared, overloaded machine measures the machine:
// the bound is enforced when ATTUNE_ASSERT_LATENCY=1 (an otherwise idle
// machine); otherwise both p99s are printed and recorded as test properties.
::testing::AssertionResult P99WithinBound(double flood_p99, double baseline_p99) {
  const char* assert_latency = std::getenv("ATTUNE_ASSERT_LATENCY");
  if (assert_latency == nullptr || std::string(assert_latency) != "1") {
    return ::testing::AssertionSuccess();
  }
  if (flood_p99 <= 50.0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "p99 " << flood_p99 << " ms under the flood, bound 50 ms (baseline p99 " << baseline_p99
         << " ms)";
}

// 10,000 sockets from 40 source addresses that each send 3 bytes of a
// handshake: the relay holds at most max_pending_handshakes of them (the
// oldest give way), buffers 50 bytes at most for each, and a real client
// keeps connecting and sending.
TEST(RelayLoad, TenThousandHalfOpenSocketsAreBounded) {
  constexpr size_t kSockets = 10000, kAddresses = 40;
  ASSERT_GE(RaiseFileLimit(kSockets + 1000), kSockets + 500);
  auto relay = RelayUnderTest::Start({{"limits",
                                       {{"max_connections_per_address", "256"},
                                        {"handshakes_per_second_per_address", "1000"},
                                        {"handshake_burst_per_address", "2000"}}}});
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  RelayUnderTest& r = **relay;
  ATTUNE_CONNECT_OR_FAIL(good, r);
  TestMailbox mailbox = NewMailboxKeys();
  ATTUNE_ASSERT_OK(CreateWithCredential(*good, mailbox, r.credential()));
  const double baseline = P99(TimedSends(*good, mailbox, 200));

  std::vector<int> fds;
  std::atomic<bool> done{false};
  std::thread flood([&] {
    for (size_t i = 0; i < kSockets; ++i) {
      const uint32_t source = 0x7f000002u + static_cast<uint32_t>(i % kAddresses);
      const int fd = HalfOpen(source, r.port());
      if (fd >= 0) fds.push_back(fd);
    }
    done = true;
  });
  std::vector<double> latencies;
  uint64_t max_rss = 0;
  while (!done) {
    auto batch = TimedSends(*good, mailbox, 10);
    latencies.insert(latencies.end(), batch.begin(), batch.end());
    if (auto rss = r.process().RssKiB()) max_rss = std::max(max_rss, *rss);
    // A new client can still connect and handshake during the flood.
    auto fresh = r.Connect();
    EXPECT_TRUE(fresh.ok()) << (fresh.ok() ? "" : fresh.error().ToString());
  }
  flood.join();
  if (auto rss = r.process().RssKiB()) max_rss = std::max(max_rss, *rss);
  std::printf(
      "half-open flood: %zu sockets opened, relay max RSS %llu KiB, good p99 %.1f ms "
      "(%.1f ms without the flood)\n",
      fds.size(), static_cast<unsigned long long>(max_rss), P99(latencies), baseline);
  RecordProperty("half_open_max_rss_kib", std::to_string(max_rss));
  RecordProperty("half_open_good_p99_ms", std::to_string(P99(latencies)));
  RecordProperty("half_open_baseline_p99_ms", std::to_string(baseline));
  EXPECT_GE(fds.size(), kSockets / 2) << "the flood itself should mostly connect";
  EXPECT_LT(max_rss, kHalfOpenRssBoundKiB);
  EXPECT_TRUE(P99WithinBound(P99(latencies), baseline));
  EXPECT_TRUE(good->is_open());
  for (int fd : fds) ::close(fd);
  EXPECT_TRUE(r.running());
}

// 200 connections pipeline 60 KiB sends without reading a single answer.
// The relay stops reading them (per-connection and global bounds) instead of
// queueing: its RSS stays bounded and a well-behaved client's sends keep a
// p99 round trip of at most 50 ms.
// What the flood process reports to the test (shared memory).
struct FloodCounters {
  std::atomic<uint64_t> written{0};
  std::atomic<uint32_t> connected{0};
  std::atomic<uint32_t> failed{0};
};

// Runs `senders` connections in a child process, each pipelining 60 KiB
// sends to one of `mailboxes` (round-robin) without reading the answers,
// until the relay goes away. A separate process, as the senders of a real
// flood are: 200 threads allocating locked memory (sodium_malloc: mmap,
// mprotect, mlock) for every frame would otherwise stall the measured
// client's own allocations on this process's memory-map lock for seconds,
// which measures the test, not the relay. Returns the child's pid.
pid_t StartSenderFlood(uint16_t port, const crypto::X25519PublicKey& relay_key,
                       const std::vector<TestMailbox>& mailboxes, size_t senders,
                       FloodCounters* counters) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // Child: no gtest assertions here, only counters; it ends with _exit.
  // Its 200 threads share this machine's two cores with the relay and the
  // measured client, which a real flood's senders do not: at the lowest
  // priority they still keep every socket full (the relay is the
  // bottleneck: it reads only what its storage bound admits) but do not
  // stand in the run queue in front of the relay's threads.
  setpriority(PRIO_PROCESS, 0, 19);
  std::vector<RawRelayClient> clients;
  clients.reserve(senders);
  for (size_t i = 0; i < senders; ++i) {
    auto raw = RawRelayClient::Connect(port);
    if (!raw.ok() || !raw->Handshake(relay_key, seconds(5)).ok()) {
      counters->failed++;
      continue;
    }
    clients.push_back(std::move(*raw));
    counters->connected++;
  }
  const Bytes big(kMaxBlobSizeForTest, 0x77);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < clients.size(); ++i) {
    threads.emplace_back([&, i] {
      const TestMailbox& m = mailboxes[i % mailboxes.size()];
      for (uint64_t rid = 1;; ++rid) {
        crypto::SecretBytes frame = mailbox::EncodeSend(rid, m.id, m.capability.span(), big);
        if (!clients[i].SendPlaintext(frame.view()).ok()) return;  // the relay is gone
        counters->written++;
      }
    });
  }
  for (auto& t : threads) t.join();
  _exit(0);
}

TEST(RelayLoad, TwoHundredPipeliningSendersDoNotSlowAWellBehavedClient) {
  constexpr size_t kSenders = 200, kMailboxes = 20, kGoodSends = 200;
  ASSERT_GE(RaiseFileLimit(4 * kSenders + 100), 2 * kSenders);
  auto relay = RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  RelayUnderTest& r = **relay;
  ATTUNE_CONNECT_OR_FAIL(admin, r);
  std::vector<TestMailbox> mailboxes;
  for (size_t i = 0; i < kMailboxes; ++i) {
    mailboxes.push_back(NewMailboxKeys());
    ATTUNE_ASSERT_OK(CreateWithCredential(*admin, mailboxes.back(), r.credential()));
  }
  TestMailbox mine = NewMailboxKeys();
  ATTUNE_ASSERT_OK(CreateWithCredential(*admin, mine, r.credential()));
  const double baseline = P99(TimedSends(*admin, mine, 200));

  void* shared = mmap(nullptr, sizeof(FloodCounters), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(shared, MAP_FAILED);
  auto* counters = new (shared) FloodCounters();
  const pid_t flood = StartSenderFlood(r.port(), r.public_key(), mailboxes, kSenders, counters);
  ASSERT_GT(flood, 0);
  struct Reap {
    pid_t pid;
    void* shared;
    ~Reap() {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      munmap(shared, sizeof(FloodCounters));
    }
  } reap{flood, shared};
  // Measure once every sender is connected and the flood has pushed far more
  // than the relay's global bound (1 MiB): 20 frames per sender, 240 MB
  // offered (bounded wait).
  const auto give_up = std::chrono::steady_clock::now() + seconds(20);
  while ((counters->connected + counters->failed < kSenders || counters->written < 20 * kSenders) &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_EQ(counters->connected.load(), kSenders);
  std::printf("sender flood: %llu frames written before measuring\n",
              static_cast<unsigned long long>(counters->written.load()));
  ATTUNE_CONNECT_OR_FAIL(good, r);
  uint64_t max_rss = 0;
  std::vector<double> latencies;
  for (size_t i = 0; i < kGoodSends / 10; ++i) {
    auto batch = TimedSends(*good, mine, 10);
    latencies.insert(latencies.end(), batch.begin(), batch.end());
    if (auto rss = r.process().RssKiB()) max_rss = std::max(max_rss, *rss);
  }
  const uint64_t written_after = counters->written.load();
  std::printf(
      "sender flood: relay max RSS %llu KiB, good p99 %.1f ms over %zu sends (%.1f ms "
      "without the flood); %llu frames written by the end\n",
      static_cast<unsigned long long>(max_rss), P99(latencies), latencies.size(), baseline,
      static_cast<unsigned long long>(written_after));
  RecordProperty("sender_flood_max_rss_kib", std::to_string(max_rss));
  RecordProperty("sender_flood_good_p99_ms", std::to_string(P99(latencies)));
  RecordProperty("sender_flood_baseline_p99_ms", std::to_string(baseline));
  EXPECT_EQ(latencies.size(), kGoodSends);
  EXPECT_TRUE(P99WithinBound(P99(latencies), baseline));
  EXPECT_LT(max_rss, kSenderFloodRssBoundKiB);
  EXPECT_TRUE(r.running());
  // The flood's writers fail once the relay is gone; the child is reaped.
  r.Kill9();
}

}  // namespace
}  // namespace attune::testing
