// Randomness is injected: protocol code takes a RandomSource& so that tests
// and test-vector generation are deterministic.
#pragma once

#include <cstdint>

#include "attune/base/bytes.h"
#include "attune/crypto/secret.h"

namespace attune::crypto {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills out with random bytes. Never fails.
  virtual void Fill(MutableByteView out) = 0;

  template <size_t N>
  ByteArray<N> Array() {
    ByteArray<N> a;
    Fill(a);
    return a;
  }
  template <size_t N>
  SecretArray<N> Secret() {
    SecretArray<N> s;
    Fill(s.mutable_span());
    return s;
  }
};

// The operating system's CSPRNG via libsodium's randombytes_buf.
// Thread-safe; the returned reference lives for the whole program.
RandomSource& SystemRandom();

// A deterministic stream (ChaCha20 keyed by the seed) for tests and
// test-vector generation only. Never use it for real keys.
class DeterministicRandom final : public RandomSource {
 public:
  explicit DeterministicRandom(ConstSpan<32> seed);
  // Convenience: seed = BLAKE2b-256(label).
  explicit DeterministicRandom(std::string_view label);
  void Fill(MutableByteView out) override;

 private:
  SecretArray<32> seed_{};
  uint64_t offset_ = 0;
};

}  // namespace attune::crypto
