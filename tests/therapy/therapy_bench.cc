// Google Benchmark figures for the therapy hot paths: zone lookups (every
// due computation does ~20), due computation, content parsing (every
// received message), and export of a year of daily check-ins.
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>

#include "attune/client/therapy/export.h"
#include "attune/client/therapy/tzif.h"
#include "attune/crypto/random.h"
#include "attune/therapy/content.h"
#include "attune/therapy/schedule.h"

namespace attune::therapy {
namespace {

Bytes NewYorkFile() {
  std::ifstream in("/usr/share/zoneinfo/America/New_York", std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void BM_TzifParse(benchmark::State& state) {
  const Bytes file = NewYorkFile();
  if (file.empty()) {
    state.SkipWithError("tzdata not installed");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(TzifZone::Parse("America/New_York", file));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file.size()));
}
BENCHMARK(BM_TzifParse);

void BM_OffsetAt(benchmark::State& state) {
  auto zone = TzifZone::Parse("America/New_York", NewYorkFile());
  if (!zone.ok()) {
    state.SkipWithError("tzdata not installed");
    return;
  }
  // range(0) = 0: inside the transition table (2020); 1: footer rule (2090).
  int64_t t = state.range(0) == 0 ? 1'580'000'000 : 3'800'000'000;
  for (auto _ : state) {
    benchmark::DoNotOptimize((*zone)->OffsetAt(t));
    t += 3607;
  }
}
BENCHMARK(BM_OffsetAt)->Arg(0)->Arg(1);

void BM_ComputeDue(benchmark::State& state) {
  auto zone = TzifZone::Parse("America/New_York", NewYorkFile());
  if (!zone.ok()) {
    state.SkipWithError("tzdata not installed");
    return;
  }
  const Cadence cadence = Cadence::Parse("Mon, Thu 09:00, 20:00").value();
  int64_t now = 1'790'000'000;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ComputeDue(cadence, **zone, now - 30 * 86400, now - 86400, now));
    now += 3607;
  }
}
BENCHMARK(BM_ComputeDue);

CheckIn SampleCheckIn(int64_t filled_at) {
  CheckInInput in;
  in.mood = 4;
  in.anxiety = 6;
  in.sleep_minutes = 390;
  in.note = "A short note about the day, with a comma, and \"quotes\".";
  in.instruments.push_back({InstrumentId::kPhq9, {1, 2, 1, 0, 1, 2, 1, 0, 0}, 1});
  in.instruments.push_back({InstrumentId::kGad7, {1, 1, 2, 1, 0, 1, 1}, std::nullopt});
  in.filled_at = filled_at;
  in.utc_offset_seconds = -18000;
  return CheckIn::Create(in).value();
}

void BM_ParseCheckInContent(benchmark::State& state) {
  crypto::DeterministicRandom random("bench");
  const Bytes bytes = SerializeContent(NewContent(random, 1, SampleCheckIn(1'790'000'000)));
  for (auto _ : state) benchmark::DoNotOptimize(ParseContent(bytes));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_ParseCheckInContent);

ConversationExport YearOfCheckIns() {
  ConversationExport e;
  e.contact = "sam";
  e.self_role = "therapist";
  for (int day = 0; day < 365; ++day) {
    HistoryEntry h;
    h.message_id[0] = static_cast<uint8_t>(day);
    h.message_id[1] = static_cast<uint8_t>(day >> 8);
    h.time = 1'790'000'000 + day * 86400;
    h.body = SampleCheckIn(h.time - 60);
    e.entries.push_back(std::move(h));
  }
  return e;
}

void BM_ExportCsvRoundTrip(benchmark::State& state) {
  const ConversationExport e = YearOfCheckIns();
  for (auto _ : state) benchmark::DoNotOptimize(ParseCsvExport(ExportCsv(e)));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * e.entries.size()));
}
BENCHMARK(BM_ExportCsvRoundTrip);

void BM_ExportJsonRoundTrip(benchmark::State& state) {
  const ConversationExport e = YearOfCheckIns();
  for (auto _ : state) benchmark::DoNotOptimize(ParseJsonExport(ExportJson(e)));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * e.entries.size()));
}
BENCHMARK(BM_ExportJsonRoundTrip);

}  // namespace
}  // namespace attune::therapy

BENCHMARK_MAIN();
