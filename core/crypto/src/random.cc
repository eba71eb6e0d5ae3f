#include "attune/crypto/random.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

#include "attune/crypto/hash.h"

namespace attune::crypto {
namespace {

class SystemRandomSource final : public RandomSource {
 public:
  void Fill(MutableByteView out) override {
    if (!out.empty()) randombytes_buf(out.data(), out.size());
  }
};

}  // namespace

RandomSource& SystemRandom() {
  static SystemRandomSource* source = [] {
    if (sodium_init() < 0) std::abort();
    return new SystemRandomSource();
  }();
  return *source;
}

DeterministicRandom::DeterministicRandom(ConstSpan<32> seed) : seed_(seed) {}

DeterministicRandom::DeterministicRandom(std::string_view label) {
  Blake2b(seed_.mutable_span(), AsBytes(label));
}

void DeterministicRandom::Fill(MutableByteView out) {
  if (out.empty()) return;
  // The stream is ChaCha20-IETF(seed, nonce = 0) from byte offset_ on.
  static constexpr size_t kBlock = 64;
  const uint64_t first_block = offset_ / kBlock;
  const size_t skip = static_cast<size_t>(offset_ % kBlock);
  Bytes stream(skip + out.size(), 0);
  static constexpr unsigned char kZeroNonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {0};
  crypto_stream_chacha20_ietf_xor_ic(stream.data(), stream.data(), stream.size(), kZeroNonce,
                                     static_cast<uint32_t>(first_block), seed_.data());
  std::memcpy(out.data(), stream.data() + skip, out.size());
  sodium_memzero(stream.data(), stream.size());
  offset_ += out.size();
}

}  // namespace attune::crypto
