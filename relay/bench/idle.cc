// Idle connections: open N connections (TCP + Noise handshake), leave them
// idle, and compare the relay's resident memory before and after. Then ping
// every connection once to show they are all still served.
#include <thread>

#include "bench_connection.h"
#include "bench_util.h"
#include "modes.h"

namespace attune::bench {

int RunIdle(const RelayTarget& target, const IdleOptions& o) {
  const auto before = ReadProcessStats(target.pid);
  asio::io_context io(1);
  auto& random = crypto::SystemRandom();
  std::vector<std::unique_ptr<BenchConnection>> connections;
  connections.reserve(o.connections);
  size_t started = 0, done = 0, failures = 0;
  std::string first_error;
  auto note_error = [&](const std::string& e) {
    if (failures++ == 0) first_error = e;
  };
  const auto t0 = Clock::now();
  // At most `concurrent_handshakes` connecting at once keeps the listen
  // backlog from overflowing (which would show up as SYN retries, not as
  // relay cost).
  std::function<void()> start_next = [&] {
    while (started < o.connections && started - done < o.concurrent_handshakes) {
      auto& c =
          connections.emplace_back(std::make_unique<BenchConnection>(io, target.endpoint, 256));
      ++started;
      c->on_error([&](const Error& e) { note_error("idle connection dropped: " + e.ToString()); });
      c->Start(random, [&](const Status& s) {
        if (!s.ok()) note_error(s.ToString());
        ++done;
        start_next();
      });
    }
  };
  start_next();
  while (done < o.connections && io.run_one() > 0) {
  }
  const double connect_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  // Let the relay finish whatever per-connection setup is deferred.
  io.run_for(std::chrono::milliseconds(1000));
  const auto after = ReadProcessStats(target.pid);

  size_t pongs = 0;
  for (auto& c : connections) {
    c->on_response([&](const net::RelayResponse& r) {
      if (r.code == net::RelayCode::kOk) ++pongs;
    });
    if (!c->failed()) c->Send(mailbox::EncodePing(1));
  }
  const auto give_up = Clock::now() + std::chrono::seconds(30);
  while (pongs + failures < o.connections && Clock::now() < give_up) io.run_one_until(give_up);

  std::printf("== idle: %zu connections opened in %.2f s\n", o.connections, connect_seconds);
  if (before && after) {
    const double per =
        (static_cast<double>(after->rss_kib) - static_cast<double>(before->rss_kib)) * 1024.0 /
        static_cast<double>(o.connections);
    std::printf("relay RSS                    %llu KiB before, %llu KiB after\n",
                static_cast<unsigned long long>(before->rss_kib),
                static_cast<unsigned long long>(after->rss_kib));
    std::printf("per idle connection          %.0f bytes\n", per);
  } else {
    std::printf("relay RSS                    unknown (pass --relay-pid)\n");
  }
  std::printf("answered a ping afterwards   %zu of %zu; errors %zu%s%s\n", pongs, o.connections,
              failures, failures ? ": " : "", first_error.c_str());
  for (auto& c : connections) c->Close();
  io.run_for(std::chrono::milliseconds(100));
  return failures == 0 && pongs == o.connections ? 0 : 1;
}

}  // namespace attune::bench
