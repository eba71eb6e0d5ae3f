// Session set-up benchmarks (registered into attune_e2e_bench, whose main is
// in e2e_bench.cc). Target from issue #3: set-up under 0.5 ms.
//
//   BM_SetupMint            inviter mints an invitation (2 key pairs, 1 sign)
//   BM_SetupAccept          accepting side: parse + verify the invitation,
//                           X3DH, ratchet init, first message (256 B) sealed
//   BM_SetupProcess         inviter: unseal, verify, X3DH, ratchet init and
//                           the first DH ratchet step, decrypt
//   BM_SetupBothSides       all three in a row: one complete set-up
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "attune/crypto/random.h"
#include "attune/e2e/invitation_codec.h"
#include "attune/e2e/x3dh.h"

namespace attune::e2e {
namespace {

constexpr uint64_t kBenchNow = 1'800'000'000;
constexpr uint64_t kLifetime = 7 * 24 * 60 * 60;

struct SetupFixture {
  Identity therapist = Identity::Generate(crypto::SystemRandom());
  Identity client = Identity::Generate(crypto::SystemRandom());
  Bytes routing = Bytes(200, 0x42);  // about what the client layer puts there
  Bytes plaintext = Bytes(256, 0x61);
};

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) std::abort();  // a benchmark of failures would be meaningless
  return std::move(r).value();
}

void BM_SetupMint(benchmark::State& state) {
  SetupFixture f;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        Must(MintInvitation(f.therapist, f.routing, kBenchNow, kLifetime, crypto::SystemRandom())));
  }
}
BENCHMARK(BM_SetupMint)->Unit(benchmark::kMicrosecond);

void BM_SetupAccept(benchmark::State& state) {
  SetupFixture f;
  const MintedInvitation minted =
      Must(MintInvitation(f.therapist, f.routing, kBenchNow, kLifetime, crypto::SystemRandom()));
  for (auto _ : state) {
    const ValidatedInvitation inv =
        Must(ParseInvitationBinary(minted.invitation.encoded(), kBenchNow));
    benchmark::DoNotOptimize(
        Must(AcceptInvitation(f.client, inv, {}, f.plaintext, kBenchNow, crypto::SystemRandom())));
  }
}
BENCHMARK(BM_SetupAccept)->Unit(benchmark::kMicrosecond);

void BM_SetupProcess(benchmark::State& state) {
  SetupFixture f;
  const MintedInvitation minted =
      Must(MintInvitation(f.therapist, f.routing, kBenchNow, kLifetime, crypto::SystemRandom()));
  const AcceptedInvitation accepted = Must(AcceptInvitation(
      f.client, minted.invitation, {}, f.plaintext, kBenchNow, crypto::SystemRandom()));
  // ProcessFirstMessage never changes the secrets it is given, so the same
  // unconsumed secrets serve every iteration.
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        Must(ProcessFirstMessage(f.therapist, minted.secrets, accepted.first_message, kBenchNow)));
  }
}
BENCHMARK(BM_SetupProcess)->Unit(benchmark::kMicrosecond);

void BM_SetupBothSides(benchmark::State& state) {
  SetupFixture f;
  for (auto _ : state) {
    const MintedInvitation minted =
        Must(MintInvitation(f.therapist, f.routing, kBenchNow, kLifetime, crypto::SystemRandom()));
    const ValidatedInvitation inv =
        Must(ParseInvitationBinary(minted.invitation.encoded(), kBenchNow));
    const AcceptedInvitation accepted =
        Must(AcceptInvitation(f.client, inv, {}, f.plaintext, kBenchNow, crypto::SystemRandom()));
    benchmark::DoNotOptimize(
        Must(ProcessFirstMessage(f.therapist, minted.secrets, accepted.first_message, kBenchNow)));
  }
}
BENCHMARK(BM_SetupBothSides)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace attune::e2e
