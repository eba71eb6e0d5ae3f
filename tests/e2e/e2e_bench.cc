// Message-layer benchmarks (Google Benchmark). items_per_second is messages
// per second, each message encrypted by one side and decrypted by the other.
//
//   BM_RatchetOneWay/1000   1,000 messages of 256 bytes in a row, one way
//   BM_RatchetPingPong      strict ping-pong: every message is answered, so
//                           every message carries a DH ratchet step
//
// Both use the operating system's RandomSource, as a client does.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/e2e/session.h"

namespace attune::e2e {
namespace {

constexpr uint64_t kNow = 1'800'000'000;

struct Pair {
  Session alice;
  Session bob;
};

Pair MakePair(crypto::RandomSource& rng) {
  RatchetInit init;
  init.root_key = rng.Secret<32>();
  init.shared_hka = rng.Secret<32>();
  init.shared_nhkb = rng.Secret<32>();
  const std::string ad(140, 'i');  // about two identity records
  init.associated_data.assign(ad.begin(), ad.end());
  RatchetInit copy{init.root_key.Clone(), init.shared_hka.Clone(), init.shared_nhkb.Clone(),
                   init.associated_data};
  crypto::X25519KeyPair bob_ratchet = crypto::GenerateX25519KeyPair(rng);
  const crypto::X25519PublicKey bob_public = bob_ratchet.public_key;
  Session bob = Session::InitResponder(std::move(copy), std::move(bob_ratchet));
  Result<Session> alice = Session::InitInitiator(std::move(init), bob_public, rng);
  if (!alice.ok()) std::abort();
  return Pair{std::move(alice).value(), std::move(bob)};
}

// One message from `from` to `to`; aborts on any failure (a benchmark that
// silently measures errors would be worse than none).
void Exchange(Session& from, Session& to, ByteView plaintext, crypto::RandomSource& rng) {
  Result<Bytes> wire = from.Encrypt(plaintext, rng);
  if (!wire.ok()) std::abort();
  Result<Bytes> plain = to.Decrypt(*wire, kNow);
  if (!plain.ok() || plain->size() != plaintext.size()) std::abort();
  benchmark::DoNotOptimize(plain->data());
}

void BM_RatchetOneWay(benchmark::State& state) {
  if (!crypto::Init().ok()) std::abort();
  crypto::RandomSource& rng = crypto::SystemRandom();
  const Bytes plaintext(256, 0x42);
  const int64_t messages = state.range(0);
  for (auto _ : state) {
    state.PauseTiming();
    Pair pair = MakePair(rng);
    state.ResumeTiming();
    for (int64_t i = 0; i < messages; ++i) Exchange(pair.alice, pair.bob, plaintext, rng);
  }
  state.SetItemsProcessed(state.iterations() * messages);
}
BENCHMARK(BM_RatchetOneWay)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_RatchetPingPong(benchmark::State& state) {
  if (!crypto::Init().ok()) std::abort();
  crypto::RandomSource& rng = crypto::SystemRandom();
  const Bytes plaintext(256, 0x42);
  const int64_t messages = state.range(0);
  for (auto _ : state) {
    state.PauseTiming();
    Pair pair = MakePair(rng);
    state.ResumeTiming();
    for (int64_t i = 0; i < messages; i += 2) {
      Exchange(pair.alice, pair.bob, plaintext, rng);
      Exchange(pair.bob, pair.alice, plaintext, rng);
    }
  }
  state.SetItemsProcessed(state.iterations() * messages);
}
BENCHMARK(BM_RatchetPingPong)->Arg(1000)->Unit(benchmark::kMillisecond);

// Serialize + Deserialize of a session holding `range(0)` skipped keys: what
// the client pays to persist and reload a conversation's state.
void BM_RatchetStateSaveRestore(benchmark::State& state) {
  if (!crypto::Init().ok()) std::abort();
  crypto::RandomSource& rng = crypto::SystemRandom();
  Pair pair = MakePair(rng);
  const Bytes plaintext(16, 0x42);
  const int64_t skipped = state.range(0);
  for (int64_t i = 0; i < skipped; ++i) {
    if (!pair.alice.Encrypt(plaintext, rng).ok()) std::abort();
  }
  Exchange(pair.alice, pair.bob, plaintext, rng);
  for (auto _ : state) {
    Bytes bytes = pair.bob.Serialize();
    Result<Session> restored = Session::Deserialize(bytes);
    if (!restored.ok()) std::abort();
    benchmark::DoNotOptimize(restored->stored_skipped_keys());
  }
}
BENCHMARK(BM_RatchetStateSaveRestore)->Arg(0)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace attune::e2e

BENCHMARK_MAIN();
