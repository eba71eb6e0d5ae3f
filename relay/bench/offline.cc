// Offline delivery: queue N messages in one mailbox while nobody listens
// (pipelined sends, each acknowledged only once fsync-durable), then
// subscribe and time how long the relay takes to push all N. The receiver
// acks each delivery at once (pipelined), as a real client would, so the
// delivery window keeps moving.
#include <cinttypes>
#include <deque>

#include "attune/mailbox/hashes.h"
#include "bench_connection.h"
#include "bench_util.h"
#include "modes.h"

namespace attune::bench {

int RunOffline(const RelayTarget& target, const OfflineOptions& o) {
  auto mailboxes = CreateMailboxes(target, 1);
  if (!mailboxes.ok()) {
    std::fprintf(stderr, "attune-relay-bench: setup: %s\n", mailboxes.error().ToString().c_str());
    return 1;
  }
  const BenchMailbox& mailbox = (*mailboxes)[0];
  asio::io_context io(1);
  auto& random = crypto::SystemRandom();
  size_t failures = 0;
  std::string first_error;
  auto note_error = [&](const std::string& e) {
    if (failures++ == 0) first_error = e;
  };
  auto connect = [&](BenchConnection& c) {
    bool done = false;
    c.on_error([&](const Error& e) { note_error(e.ToString()); });
    c.Start(random, [&](const Status& s) {
      if (!s.ok()) note_error(s.ToString());
      done = true;
    });
    while (!done && io.run_one() > 0) {
    }
  };

  // Queue.
  BenchConnection sender(io, target.endpoint, 65536);
  connect(sender);
  FrameEncoder encoder;
  Bytes blob(o.blob_size, 0x33);
  size_t sent = 0, stored = 0;
  sender.on_response([&](const net::RelayResponse& r) {
    if (r.code != net::RelayCode::kOk) note_error(std::string("send: ") + r.message);
    ++stored;
    if (sent < o.messages) {
      ++sent;
      sender.Send(encoder.Send(sent, mailbox, blob));
    }
  });
  const auto queue_start = Clock::now();
  for (; sent < std::min(o.send_window, o.messages);) {
    ++sent;
    sender.Send(encoder.Send(sent, mailbox, blob));
  }
  while (stored < o.messages && failures == 0 && io.run_one() > 0) {
  }
  const double queue_seconds = std::chrono::duration<double>(Clock::now() - queue_start).count();
  if (failures > 0) {
    std::fprintf(stderr, "attune-relay-bench: queueing: %s\n", first_error.c_str());
    return 1;
  }
  PrintRelayStats("relay after queueing", target);

  // Drain.
  BenchConnection receiver(io, target.endpoint, 65536);
  connect(receiver);
  size_t delivered = 0, acked = 0;
  bool subscribed = false;
  Clock::time_point all_delivered, all_acked;
  // Acks are pipelined but bounded, like a real client's: below the default
  // max_pending_requests (docs/PROTOCOL.md (part mailbox) section 5.1). The first
  // ack of a delivery is never refused, but its OK waits for the deletion's
  // commit, so this bound sets how many deliveries one commit can release.
  constexpr size_t kMaxOutstandingAcks = 1000;
  std::deque<std::pair<net::MailboxId, uint64_t>> ack_queue;
  size_t outstanding_acks = 0;
  auto pump_acks = [&] {
    while (outstanding_acks < kMaxOutstandingAcks && !ack_queue.empty()) {
      const auto [id, message_id] = ack_queue.front();
      ack_queue.pop_front();
      receiver.Send(encoder.Ack(message_id, id, message_id));
      ++outstanding_acks;
    }
  };
  receiver.on_response([&](const net::RelayResponse& r) {
    if (r.code != net::RelayCode::kOk) note_error(std::string("subscribe/ack: ") + r.message);
    if (r.request_id == 0) {
      subscribed = true;
      return;
    }
    --outstanding_acks;
    if (++acked == o.messages) all_acked = Clock::now();
    pump_acks();
  });
  receiver.on_delivery([&](net::Delivery&& d) {
    ack_queue.emplace_back(d.mailbox_id, d.message_id);
    pump_acks();
    if (++delivered == o.messages) all_delivered = Clock::now();
  });
  const auto sig = crypto::Ed25519Sign(
      mailbox.owner, mailbox::SubscribeSignedBytes(receiver.handshake_hash(), mailbox.id));
  const auto drain_start = Clock::now();
  receiver.Send(mailbox::EncodeSubscribe(0, mailbox.id, sig));
  const auto give_up = drain_start + std::chrono::seconds(60);
  while (acked < o.messages && failures == 0 && Clock::now() < give_up) {
    io.run_one_until(give_up);
  }
  (void)subscribed;
  sender.Close();
  receiver.Close();
  io.run_for(std::chrono::milliseconds(50));

  std::printf("== offline: %zu queued %zu-byte messages\n", o.messages, o.blob_size);
  std::printf("queueing (window %zu)          %.1f ms, %.0f durable sends/s\n", o.send_window,
              queue_seconds * 1e3, static_cast<double>(o.messages) / queue_seconds);
  if (delivered == o.messages) {
    std::printf("drain: all delivered after    %.1f ms (from Subscribe)\n",
                std::chrono::duration<double, std::milli>(all_delivered - drain_start).count());
  }
  if (acked == o.messages) {
    std::printf("drain: all acks durable after %.1f ms\n",
                std::chrono::duration<double, std::milli>(all_acked - drain_start).count());
  }
  PrintRelayStats("relay after drain", target);
  std::printf("delivered %zu, acked %zu, errors %zu%s%s\n", delivered, acked, failures,
              failures ? ": " : "", first_error.c_str());
  return failures == 0 && acked == o.messages ? 0 : 1;
}

}  // namespace attune::bench
