// Transport costs the relay pays per connection and per message: a full NK
// handshake (both sides, 3 X25519 each incl. ephemeral generation) and a
// 256-byte transport message encrypted and decrypted.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/crypto/x25519.h"
#include "attune/noise/handshake.h"

namespace attune::noise {
namespace {

void InitOrDie() {
  if (!crypto::Init().ok()) std::abort();
}

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) std::abort();
  return std::move(r).value();
}

void BM_FullHandshake(benchmark::State& state) {
  InitOrDie();
  auto& rng = crypto::SystemRandom();
  const auto relay = crypto::GenerateX25519KeyPair(rng);
  for (auto _ : state) {
    auto initiator = Handshake::Initiator(relay.public_key, AsBytes(kRelayPrologue), rng);
    auto responder = Handshake::Responder(relay, AsBytes(kRelayPrologue), rng);
    Bytes m1 = Must(initiator.WriteMessage({}));
    Must(responder.ReadMessage(m1));
    Bytes m2 = Must(responder.WriteMessage({}));
    Must(initiator.ReadMessage(m2));
    auto a = Must(initiator.Finish());
    auto b = Must(responder.Finish());
    benchmark::DoNotOptimize(a.handshake_hash());
    benchmark::DoNotOptimize(b.handshake_hash());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FullHandshake);

void BM_TransportEncryptDecrypt(benchmark::State& state) {
  InitOrDie();
  auto& rng = crypto::SystemRandom();
  const auto relay = crypto::GenerateX25519KeyPair(rng);
  auto initiator = Handshake::Initiator(relay.public_key, AsBytes(kRelayPrologue), rng);
  auto responder = Handshake::Responder(relay, AsBytes(kRelayPrologue), rng);
  Must(responder.ReadMessage(Must(initiator.WriteMessage({}))));
  Must(initiator.ReadMessage(Must(responder.WriteMessage({}))));
  auto sender = Must(initiator.Finish());
  auto receiver = Must(responder.Finish());
  const Bytes plaintext(static_cast<size_t>(state.range(0)), 0x42);
  for (auto _ : state) {
    Bytes c = Must(sender.Encrypt(plaintext));
    Bytes p = Must(receiver.Decrypt(c));
    benchmark::DoNotOptimize(p.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TransportEncryptDecrypt)->Arg(256)->Arg(16384);

}  // namespace
}  // namespace attune::noise

BENCHMARK_MAIN();
