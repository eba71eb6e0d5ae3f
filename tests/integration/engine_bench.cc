// attune_engine_bench: the client engine's numbers (issue 10 and issue 11,
// "Performance"), Google Benchmark style, with a real attune-relay on
// 127.0.0.1. Wall-clock figures: quote `uptime` next to them.
//
//   BM_SendToDisplayed    send-to-displayed between two unlocked engines: the
//                         client's SendText until the therapist's background
//                         sync stored it and its observer got MessageReceived.
//                         One iteration per message (ATTUNE_BENCH_MESSAGES,
//                         default 1000); p50/p99/max as counters.
//   BM_IndexVersion1History  the one-time indexing of a version-1 profile's
//                         20,000 messages on its first unlock after upgrade.
//   BM_UnlockToInbox/0|1  a therapist with 200 clients and 20,000 messages:
//                         Engine::Open plus the first Inbox, minus the key
//                         derivation (measured alone, with the profile's own
//                         parameters); /0 full page check at open, /1 deferred.
//   BM_Inbox, BM_Contacts the queries alone on the unlocked engine.
//   BM_History5000        History() of a 5,000-message conversation; the
//                         per_row counter is the cost of one row.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "attune/client/store/database_key.h"
#include "attune/client/store/profile.h"
#include "attune/client/store/records.h"
#include "attune/crypto/util.h"
#include "attune/e2e/identity.h"
#include "attune/therapy/check_in.h"
#include "attune/therapy/content.h"
#include "engine_support.h"

namespace attune::testing {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

int MessagesPerRun() {
  const char* env = std::getenv("ATTUNE_BENCH_MESSAGES");
  const int n = env != nullptr ? std::atoi(env) : 0;
  return n > 0 ? n : 1000;
}

void BM_SendToDisplayed(benchmark::State& state) {
  TempDir root("attune-engine-bench");
  auto relay = RelayUnderTest::Start();
  if (!relay.ok()) return state.SkipWithError("relay did not start");
  auto therapist = CreateTherapist(root / "therapist", **relay);
  auto client = CreateClient(root / "client", "Sam");
  if (!therapist.ok() || !client.ok()) return state.SkipWithError("create failed");
  if (!Pair(*therapist, *client, "sam").ok()) return state.SkipWithError("pairing failed");

  // The observer notes when each numbered message is displayed.
  std::mutex mu;
  std::condition_variable cv;
  int displayed = -1;
  Clock::time_point displayed_at;
  therapist->events->set_hook([&](const client::Event& e) {
    if (const auto* m = std::get_if<client::MessageReceived>(&e)) {
      std::lock_guard lock(mu);
      displayed = std::stoi(m->summary.substr(4));
      displayed_at = Clock::now();
      cv.notify_all();
    }
  });
  if (!(*therapist)->StartBackgroundSync({}).ok()) return state.SkipWithError("no sync");
  auto one = [&](int i) -> std::optional<Clock::duration> {
    const auto start = Clock::now();
    auto sent = (*client)->SendText("therapist", "msg " + std::to_string(i));
    if (!sent.ok() || !sent->uploaded) return std::nullopt;
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return displayed == i; })) {
      return std::nullopt;
    }
    return displayed_at - start;
  };
  // Warm up: the first messages also wait for the subscription.
  for (int i = -10; i < 0; ++i) {
    if (!one(i)) return state.SkipWithError("warm-up message never displayed");
  }
  std::vector<double> samples;
  int i = 0;
  for (auto _ : state) {
    auto latency = one(i++);
    if (!latency) {
      state.SkipWithError("message never displayed");
      break;
    }
    state.SetIterationTime(Seconds(*latency));
    samples.push_back(Ms(*latency));
  }
  (*therapist)->StopBackgroundSync();
  state.counters["p50_ms"] = Percentile(samples, 0.50);
  state.counters["p99_ms"] = Percentile(samples, 0.99);
  state.counters["max_ms"] =
      samples.empty() ? 0 : *std::max_element(samples.begin(), samples.end());
}

constexpr int kClients = 200;
constexpr int kPerClient = 100;
const std::string kPassphrase = "passphrase of therapist";

// Fills a therapist profile directly through the store, as version 1 left
// it (unindexed rows; pairing 200 real clients through the relay would
// measure pairing, not the inbox): `clients` contacts, `per_client`
// messages each (half received, every outgoing one confirmed by a delivery
// receipt when `receipts`), every 50th received one an urgent check-in.
Status Populate(const std::string& dir, int clients, int per_client, bool receipts) {
  ATTUNE_ASSIGN_OR_RETURN(client::store::Profile profile,
                          client::store::Profile::Open(dir, AsBytes(kPassphrase)));
  client::store::Database& db = profile.db();
  crypto::RandomSource& random = crypto::SystemRandom();
  ATTUNE_ASSIGN_OR_RETURN(client::store::Transaction tx, client::store::Transaction::Begin(db));
  int n = 0;
  for (int c = 0; c < clients; ++c) {
    client::store::Contact contact;
    contact.name = "client" + std::to_string(c);
    contact.display_name = "Client " + std::to_string(c);
    contact.identity_key = Bytes(e2e::kIdentityRecordSize, static_cast<uint8_t>(c));
    contact.peer_relay = {"127.0.0.1", 1, {}};
    contact.created_at = 1;
    ATTUNE_ASSIGN_OR_RETURN(contact.id, client::store::InsertContact(db, contact));
    for (int i = 0; i < per_client; ++i, ++n) {
      const bool incoming = i % 2 == 0;
      therapy::ContentBody body = therapy::TextMessage{"message number " + std::to_string(n)};
      if (incoming && n % 50 == 0) {
        therapy::CheckInInput in;
        in.instruments.push_back({therapy::InstrumentId::kPhq9, {0, 0, 0, 0, 0, 0, 0, 0, 1}, {}});
        in.filled_at = 1000 + n;
        ATTUNE_ASSIGN_OR_RETURN(therapy::CheckIn check_in, therapy::CheckIn::Create(in));
        body = std::move(check_in);
      }
      const therapy::ValidatedContent content = therapy::NewContent(random, 1000 + n, body);
      client::store::MessageRecord m;
      m.contact_id = contact.id;
      m.direction =
          incoming ? client::store::Direction::kIncoming : client::store::Direction::kOutgoing;
      m.content = therapy::SerializeContent(content);
      m.created_at = 1000 + n;
      m.read = !incoming || n < clients * per_client - 400;
      m.sent = !incoming;
      ATTUNE_ASSIGN_OR_RETURN(int64_t row, client::store::InsertMessage(db, m));
      (void)row;
      if (!incoming && receipts) {
        client::store::MessageRecord r;
        r.contact_id = contact.id;
        r.direction = client::store::Direction::kIncoming;
        r.content = therapy::SerializeContent(therapy::NewContent(
            random, 1001 + n,
            therapy::Receipt{therapy::ReceiptKind::kDelivered, {content.message_id}}));
        r.created_at = 1001 + n;
        r.read = true;
        ATTUNE_ASSIGN_OR_RETURN(int64_t receipt_row, client::store::InsertMessage(db, r));
        (void)receipt_row;
      }
    }
  }
  return tx.Commit();
}

// One therapist profile for the inbox benchmarks, made once.
struct InboxProfile {
  TempDir root{"attune-engine-bench"};
  std::string dir{};
  client::store::KeyParams params{};
  double index_ms = 0;      // the one-time indexing of its version-1 rows
  double index_cpu_ms = 0;  // the same in CPU time (the machine is shared)
  Status status = Status::Ok();
};

InboxProfile& SharedInboxProfile() {
  static InboxProfile* p = [] {
    auto* made = new InboxProfile;
    made->dir = (made->root / "therapist").string();
    auto relay = RelayUnderTest::Start();
    if (!relay.ok()) {
      made->status = relay.error();
      return made;
    }
    {
      auto therapist = CreateTherapist(made->root / "therapist", **relay);
      if (!therapist.ok()) {
        made->status = therapist.error();
        return made;
      }
    }
    made->status = Populate(made->dir, kClients, kPerClient, false);
    if (!made->status.ok()) return made;
    {
      auto profile = client::store::Profile::Open(made->dir, AsBytes(kPassphrase));
      if (profile.ok()) made->params = profile->key_params();
    }
    auto engine = client::Engine::Open(made->dir, AsBytes(kPassphrase));
    if (!engine.ok()) {
      made->status = engine.error();
      return made;
    }
    const auto t0 = Clock::now();
    const std::clock_t c0 = std::clock();
    auto inbox = (*engine)->Inbox(200, false);  // indexes every row first
    made->index_ms = Ms(Clock::now() - t0);
    made->index_cpu_ms = 1000.0 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    if (!inbox.ok()) made->status = inbox.error();
    return made;
  }();
  return *p;
}

void BM_IndexVersion1History(benchmark::State& state) {
  InboxProfile& p = SharedInboxProfile();
  if (!p.status.ok()) return state.SkipWithError(p.status.error().message.c_str());
  for (auto _ : state) state.SetIterationTime(p.index_ms / 1000.0);
  state.counters["messages"] = kClients * kPerClient;
  state.counters["cpu_ms"] = p.index_cpu_ms;
}

void BM_UnlockToInbox(benchmark::State& state) {
  InboxProfile& p = SharedInboxProfile();
  if (!p.status.ok()) return state.SkipWithError(p.status.error().message.c_str());
  client::EngineOptions options;
  options.integrity_check = state.range(0) == 0 ? client::store::IntegrityCheck::kAtOpen
                                                : client::store::IntegrityCheck::kDeferred;
  std::vector<double> kdf;
  size_t urgent = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    auto key = client::store::DeriveDatabaseKey(AsBytes(kPassphrase), p.params);
    const auto t1 = Clock::now();
    auto engine = client::Engine::Open(p.dir, AsBytes(kPassphrase), options);
    if (!key.ok() || !engine.ok()) return state.SkipWithError("open failed");
    auto items = (*engine)->Inbox(200, false);
    const auto t2 = Clock::now();
    if (!items.ok()) return state.SkipWithError("inbox failed");
    urgent = static_cast<size_t>(
        std::count_if(items->begin(), items->end(), [](const auto& i) { return i.urgent; }));
    state.SetIterationTime(std::max(0.0, Seconds(t2 - t1) - Seconds(t1 - t0)));
    kdf.push_back(Ms(t1 - t0));
  }
  state.counters["kdf_ms"] = Percentile(kdf, 0.5);
  state.counters["urgent_listed"] = static_cast<double>(urgent);
}

std::unique_ptr<client::Engine>& SharedInboxEngine() {
  static std::unique_ptr<client::Engine> engine = [] {
    auto opened = client::Engine::Open(SharedInboxProfile().dir, AsBytes(kPassphrase));
    return opened.ok() ? std::move(opened).value() : nullptr;
  }();
  return engine;
}

void BM_Inbox(benchmark::State& state) {
  auto& engine = SharedInboxEngine();
  if (!engine) return state.SkipWithError("open failed");
  for (auto _ : state) {
    auto items = engine->Inbox(200, false);
    if (!items.ok() || items->empty()) return state.SkipWithError("inbox failed");
    benchmark::DoNotOptimize(items->data());
  }
}

void BM_Contacts(benchmark::State& state) {
  auto& engine = SharedInboxEngine();
  if (!engine) return state.SkipWithError("open failed");
  for (auto _ : state) {
    auto list = engine->Contacts();
    if (!list.ok() || list->size() != static_cast<size_t>(kClients)) {
      return state.SkipWithError("contacts failed");
    }
    benchmark::DoNotOptimize(list->data());
  }
}

void BM_History5000(benchmark::State& state) {
  TempDir root("attune-engine-bench");
  auto relay = RelayUnderTest::Start();
  if (!relay.ok()) return state.SkipWithError("relay did not start");
  const std::string dir = (root / "therapist").string();
  {
    auto therapist = CreateTherapist(root / "therapist", **relay);
    if (!therapist.ok()) return state.SkipWithError("create failed");
  }
  // One client, 5,000 messages, each sent one confirmed by a receipt.
  if (!Populate(dir, 1, 5000, true).ok()) return state.SkipWithError("populate failed");
  auto engine = client::Engine::Open(dir, AsBytes(kPassphrase));
  if (!engine.ok()) return state.SkipWithError("open failed");
  size_t rows = 0;
  auto first = (*engine)->History("client0");  // indexes the rows once
  if (!first.ok()) return state.SkipWithError("history failed");
  for (auto _ : state) {
    auto history = (*engine)->History("client0");
    if (!history.ok()) return state.SkipWithError("history failed");
    rows = history->size();
    benchmark::DoNotOptimize(history->data());
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["per_row"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsIterationInvariantRate |
                                                        benchmark::Counter::kInvert);
}

BENCHMARK(BM_SendToDisplayed)
    ->Iterations(MessagesPerRun())
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IndexVersion1History)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UnlockToInbox)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(5)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Inbox)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Contacts)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_History5000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace attune::testing

int main(int argc, char** argv) {
  if (!attune::crypto::Init().ok()) return 1;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
