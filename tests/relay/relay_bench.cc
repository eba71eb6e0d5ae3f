// Google Benchmarks of the relay's hot paths that do not need sockets:
//   - durable sends through the GroupCommitter (real SQLite file, fsync on)
//     with N sends in flight: shows what group commit buys over one fsync
//     per send;
//   - parsing a Send frame at the boundary.
// Network throughput/latency/memory: attune-relay-bench (relay/bench).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <condition_variable>
#include <mutex>

#include "attune/crypto/util.h"
#include "attune/relay/core/mailbox_logic.h"
#include "attune/relay/store/group_commit.h"
#include "relay.pb.h"
#include "relay_test_util.h"

namespace attune::relay {
namespace {

// CPU time of the whole process (all threads), in microseconds.
double ProcessCpuMicros() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec +
         ru.ru_stime.tv_usec;
}

using testing::Owner;

// items/s = durable sends per second with range(0) sends in flight;
// range(1) = 1 with the write-behind mailbox cache (as the relay runs).
void BM_DurableSendsGroupCommit(benchmark::State& state) {
  (void)crypto::Init();
  testing::TempDir dir;
  SqliteMailboxStore::Options options;
  options.cache_mailboxes = state.range(1) != 0;  // the relay's committer uses the cache
  auto store = SqliteMailboxStore::Open(dir.file("relay.db"), options);
  if (!store.ok()) {
    state.SkipWithError("cannot open store");
    return;
  }
  Owner o = Owner::Random();
  MailboxRecord rec;
  rec.id = o.id;
  rec.owner_key = o.key.public_key;
  rec.cap_hash = o.cap_hash();
  (void)(*store)->InsertMailbox(rec);
  MailboxLimits limits;
  limits.max_messages_per_mailbox = 1ull << 40;
  limits.max_bytes_per_mailbox = 1ull << 50;
  GroupCommitter committer(**store);
  committer.Start();
  const Blob blob = std::make_shared<const std::string>(256, 'x');
  const int64_t in_flight = state.range(0);
  std::mutex mu;
  std::condition_variable cv;
  int64_t done = 0;
  const double cpu_start = ProcessCpuMicros();
  for (auto _ : state) {
    {
      std::lock_guard<std::mutex> lock(mu);
      done = 0;
    }
    for (int64_t i = 0; i < in_flight; ++i) {
      SendRequest req{o.id, o.cap_hash(), blob};
      committer.Submit([&, req](MailboxStore& s) -> GroupCommitter::Completion {
        Outcome out = SendMessage(s, req, limits, 1);
        benchmark::DoNotOptimize(out);
        return [&](const Status&) {
          std::lock_guard<std::mutex> lock(mu);
          if (++done == in_flight) cv.notify_one();
        };
      });
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done == in_flight; });
  }
  const double cpu_used = ProcessCpuMicros() - cpu_start;
  committer.Stop();
  const auto stats = committer.stats();
  // Waiting for fsync costs no CPU; this is the storage work per send.
  state.counters["cpu_us_per_send"] =
      cpu_used / static_cast<double>(state.iterations() * in_flight);
  state.SetItemsProcessed(state.iterations() * in_flight);
  state.counters["sends_per_commit"] =
      stats.batches == 0 ? 0 : static_cast<double>(stats.operations) / stats.batches;
  state.counters["ms_per_commit"] =
      stats.batches == 0 ? 0 : static_cast<double>(stats.busy_ns) / 1e6 / stats.batches;
}
BENCHMARK(BM_DurableSendsGroupCommit)
    ->ArgsProduct({{1, 64, 512}, {0, 1}})
    ->ArgNames({"in_flight", "cache"})
    ->UseRealTime()
    ->MinTime(2);

// A message's whole life in the store: range(0) messages sent to one
// mailbox in one round of batches, then acked (deleted) in the next, with the
// relay's options (mailbox cache). items/s = messages per second;
// cpu_us_per_message covers the send and the ack.
void BM_DurableSendThenAck(benchmark::State& state) {
  (void)crypto::Init();
  testing::TempDir dir;
  SqliteMailboxStore::Options options;
  options.cache_mailboxes = true;
  auto store = SqliteMailboxStore::Open(dir.file("relay.db"), options);
  if (!store.ok()) {
    state.SkipWithError("cannot open store");
    return;
  }
  Owner o = Owner::Random();
  MailboxRecord rec;
  rec.id = o.id;
  rec.owner_key = o.key.public_key;
  rec.cap_hash = o.cap_hash();
  (void)(*store)->InsertMailbox(rec);
  const MailboxLimits limits;
  GroupCommitter committer(**store);
  committer.Start();
  const Blob blob = std::make_shared<const std::string>(256, 'x');
  const int64_t n = state.range(0);
  std::mutex mu;
  std::condition_variable cv;
  int64_t done = 0;
  std::vector<uint64_t> ids;
  auto wait_all = [&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done == n; });
    done = 0;
  };
  auto finished = [&](const Status&) {
    std::lock_guard<std::mutex> lock(mu);
    if (++done == n) cv.notify_one();
  };
  const double cpu_start = ProcessCpuMicros();
  for (auto _ : state) {
    ids.assign(static_cast<size_t>(n), 0);
    for (int64_t i = 0; i < n; ++i) {
      SendRequest req{o.id, o.cap_hash(), blob};
      committer.Submit([&, req, i](MailboxStore& s) -> GroupCommitter::Completion {
        Outcome out = SendMessage(s, req, limits, 1);
        ids[static_cast<size_t>(i)] = out.message_id;
        return finished;
      });
    }
    wait_all();
    for (int64_t i = 0; i < n; ++i) {
      AckRequest req{o.id, ids[static_cast<size_t>(i)]};
      committer.Submit([&, req](MailboxStore& s) -> GroupCommitter::Completion {
        Outcome out = AckMessage(s, req);
        benchmark::DoNotOptimize(out);
        return finished;
      });
    }
    wait_all();
  }
  const double cpu_used = ProcessCpuMicros() - cpu_start;
  committer.Stop();
  state.counters["cpu_us_per_message"] = cpu_used / static_cast<double>(state.iterations() * n);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_DurableSendThenAck)->Arg(1)->Arg(16)->Arg(64)->UseRealTime()->MinTime(2);

void BM_ParseSendFrame(benchmark::State& state) {
  (void)crypto::Init();
  v1::ClientFrame f;
  f.set_request_id(1);
  f.mutable_send()->set_mailbox_id(std::string(32, 'm'));
  f.mutable_send()->set_send_capability(std::string(32, 'c'));
  f.mutable_send()->set_blob(std::string(256, 'b'));
  const std::string bytes = f.SerializeAsString();
  for (auto _ : state) {
    auto parsed = mailbox::ParseClientFrame(AsBytes(bytes), kMaxBlobSize);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseSendFrame);

}  // namespace
}  // namespace attune::relay

BENCHMARK_MAIN();
