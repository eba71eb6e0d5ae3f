// Throughput and send-to-delivery latency: M pairs, each a sender connection
// and a subscribed receiver connection on one mailbox. A pair keeps `window`
// messages in flight: a message is in flight from the moment its Send is
// written until its Delivery reaches the receiver, which acks it and lets the
// sender send the next. Every acknowledged send is fsync-durable in the relay.
#include <cinttypes>
#include <memory>

#include "attune/mailbox/hashes.h"
#include "bench_connection.h"
#include "bench_util.h"
#include "modes.h"

namespace attune::bench {
namespace {

struct Pair {
  BenchMailbox mailbox{};
  std::unique_ptr<BenchConnection> sender{};
  std::unique_ptr<BenchConnection> receiver{};
  uint64_t next_seq = 0;
  size_t in_flight = 0;
};

// Blob layout: pair index (u64 BE) || send time ns (u64 BE) || padding.
constexpr size_t kHeader = 16;

}  // namespace

int RunThroughput(const RelayTarget& target, const ThroughputOptions& o) {
  if (o.blob_size < kHeader || o.pairs == 0 || o.window == 0) {
    std::fprintf(stderr, "attune-relay-bench: blob size must be >= 16, pairs and window >= 1\n");
    return 2;
  }
  auto mailboxes = CreateMailboxes(target, o.pairs);
  if (!mailboxes.ok()) {
    std::fprintf(stderr, "attune-relay-bench: setup: %s\n", mailboxes.error().ToString().c_str());
    return 1;
  }
  asio::io_context io(1);
  auto& random = crypto::SystemRandom();
  std::vector<Pair> pairs(o.pairs);
  size_t connected = 0, subscribed = 0, failures = 0;
  std::string first_error;
  auto note_error = [&](const std::string& e) {
    if (failures++ == 0) first_error = e;
  };
  for (size_t i = 0; i < o.pairs; ++i) {
    Pair& p = pairs[i];
    p.mailbox = std::move((*mailboxes)[i]);
    p.sender = std::make_unique<BenchConnection>(io, target.endpoint, 16384);
    p.receiver = std::make_unique<BenchConnection>(
        io, target.receiver_endpoint ? *target.receiver_endpoint : target.endpoint, 65536);
    for (BenchConnection* c : {p.sender.get(), p.receiver.get()}) {
      c->on_error([&](const Error& e) { note_error(e.ToString()); });
      c->Start(random, [&](const Status& s) {
        if (!s.ok()) note_error(s.ToString());
        ++connected;
      });
    }
  }
  while (connected < 2 * o.pairs && io.run_one() > 0) {
  }
  if (failures > 0) {
    std::fprintf(stderr, "attune-relay-bench: connect: %s\n", first_error.c_str());
    return 1;
  }
  for (Pair& p : pairs) {
    p.receiver->on_response([&](const net::RelayResponse& r) {
      if (r.code != net::RelayCode::kOk) note_error(std::string("subscribe/ack: ") + r.message);
      if (r.request_id == 0) ++subscribed;
    });
    const auto sig = crypto::Ed25519Sign(
        p.mailbox.owner, mailbox::SubscribeSignedBytes(p.receiver->handshake_hash(), p.mailbox.id));
    p.receiver->Send(mailbox::EncodeSubscribe(0, p.mailbox.id, sig));
  }
  while (subscribed < o.pairs && failures == 0 && io.run_one() > 0) {
  }
  if (failures > 0) {
    std::fprintf(stderr, "attune-relay-bench: subscribe: %s\n", first_error.c_str());
    return 1;
  }

  FrameEncoder encoder;
  Bytes blob(o.blob_size, 0x5a);
  bool sending = true;
  bool measuring = false;
  uint64_t measure_start_ns = 0;
  uint64_t delivered = 0, delivered_at_start = 0, delivered_at_end = 0, sent = 0;
  std::vector<double> latencies_ms;
  latencies_ms.reserve(1 << 20);

  auto send_one = [&](size_t index) {
    Pair& p = pairs[index];
    const uint64_t now = NowNs();
    PutU64BE(blob.data(), index);
    PutU64BE(blob.data() + 8, now);
    p.sender->Send(encoder.Send(++p.next_seq, p.mailbox, blob));
    ++p.in_flight;
    ++sent;
  };

  for (size_t i = 0; i < o.pairs; ++i) {
    Pair& p = pairs[i];
    p.sender->on_response([&](const net::RelayResponse& r) {
      if (r.code != net::RelayCode::kOk) note_error(std::string("send: ") + r.message);
    });
    p.receiver->on_delivery([&, i](net::Delivery&& d) {
      const uint64_t now = NowNs();
      if (d.blob.size() < kHeader) return note_error("short delivery");
      const uint64_t index = ReadU64BE(d.blob.data());
      const uint64_t sent_ns = ReadU64BE(d.blob.data() + 8);
      if (index != i) return note_error("delivery to the wrong pair");
      ++delivered;
      if (measuring && sent_ns >= measure_start_ns) {
        latencies_ms.push_back(static_cast<double>(now - sent_ns) / 1e6);
      }
      Pair& p = pairs[i];
      p.receiver->Send(encoder.Ack(d.message_id, d.mailbox_id, d.message_id));
      --p.in_flight;
      if (sending) send_one(i);
    });
  }

  const auto started = Clock::now();
  for (size_t i = 0; i < o.pairs; ++i) {
    for (size_t w = 0; w < o.window; ++w) send_one(i);
  }
  const auto measure_at = started + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(o.warmup_seconds));
  const auto end_at = measure_at + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(o.seconds));
  while (Clock::now() < measure_at && failures == 0) io.run_one_until(measure_at);
  measuring = true;
  measure_start_ns = NowNs();
  delivered_at_start = delivered;
  const auto relay_before = ReadProcessStats(target.pid);
  const auto receiver_before = ReadProcessStats(target.receiver_pid);
  const double postgres_before = ProcessTreeCpuSeconds(target.postgres_pid);
  const double self_before = SelfCpuSeconds();
  const auto t0 = Clock::now();
  while (Clock::now() < end_at && failures == 0) io.run_one_until(end_at);
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  delivered_at_end = delivered;
  measuring = false;
  sending = false;
  const auto relay_after = ReadProcessStats(target.pid);
  const auto receiver_after = ReadProcessStats(target.receiver_pid);
  const double postgres_after = ProcessTreeCpuSeconds(target.postgres_pid);
  const double self_cpu = SelfCpuSeconds() - self_before;
  // Let what is in flight arrive (bounded).
  const auto drain_until = Clock::now() + std::chrono::seconds(5);
  auto in_flight = [&] {
    size_t n = 0;
    for (const Pair& p : pairs) n += p.in_flight;
    return n;
  };
  while (in_flight() > 0 && Clock::now() < drain_until && failures == 0) {
    io.run_one_until(drain_until);
  }
  for (Pair& p : pairs) {
    p.sender->Close();
    p.receiver->Close();
  }
  io.run_for(std::chrono::milliseconds(100));

  const uint64_t measured = delivered_at_end - delivered_at_start;
  std::printf(
      "== throughput: %zu pairs, window %zu, %zu-byte blobs, %.1f s (after %.1f s warmup)\n",
      o.pairs, o.window, o.blob_size, elapsed, o.warmup_seconds);
  std::printf("delivered                    %" PRIu64 " messages, %.0f msg/s\n", measured,
              static_cast<double>(measured) / elapsed);
  std::printf(
      "send-to-delivery latency     p50 %.3f ms  p99 %.3f ms  max %.3f ms  (%zu samples)\n",
      Quantile(latencies_ms, 0.50), Quantile(latencies_ms, 0.99),
      latencies_ms.empty() ? 0.0 : *std::max_element(latencies_ms.begin(), latencies_ms.end()),
      latencies_ms.size());
  if (relay_before && relay_after && measured > 0) {
    const double relay_cpu = relay_after->cpu_seconds - relay_before->cpu_seconds;
    std::printf("relay CPU                    %.1f us/message (%.0f%% of one core)\n",
                relay_cpu * 1e6 / static_cast<double>(measured), 100 * relay_cpu / elapsed);
    std::printf("relay RSS                    %llu KiB (peak %llu KiB)\n",
                static_cast<unsigned long long>(relay_after->rss_kib),
                static_cast<unsigned long long>(relay_after->hwm_kib));
  }
  if (receiver_before && receiver_after && measured > 0) {
    const double cpu = receiver_after->cpu_seconds - receiver_before->cpu_seconds;
    std::printf("relay node 2 CPU             %.1f us/message (%.0f%% of one core)\n",
                cpu * 1e6 / static_cast<double>(measured), 100 * cpu / elapsed);
  }
  if (target.postgres_pid > 0 && measured > 0) {
    const double cpu = postgres_after - postgres_before;
    std::printf("postgres CPU (all processes) %.1f us/message (%.0f%% of one core)\n",
                cpu * 1e6 / static_cast<double>(measured), 100 * cpu / elapsed);
  }
  if (measured > 0) {
    std::printf("bench CPU                    %.1f us/message\n",
                self_cpu * 1e6 / static_cast<double>(measured));
  }
  std::printf("sent %" PRIu64 ", still in flight after drain %zu, errors %zu%s%s\n", sent,
              in_flight(), failures, failures ? ": " : "", first_error.c_str());
  return failures == 0 ? 0 : 1;
}

}  // namespace attune::bench
