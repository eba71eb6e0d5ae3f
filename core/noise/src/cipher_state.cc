#include "attune/noise/cipher_state.h"

#include <utility>

#include "attune/crypto/aead.h"

namespace attune::noise {
namespace {

static_assert(kKeyLen == crypto::kAeadKeySize);
static_assert(kTagLen == crypto::kAeadTagSize);

// Spec section 12.3 (ChaChaPoly): 32 bits of zeros then the 64-bit nonce
// little-endian.
ByteArray<crypto::kChaChaIetfNonceSize> MakeNonce(uint64_t n) {
  ByteArray<crypto::kChaChaIetfNonceSize> nonce{};
  for (size_t i = 0; i < 8; ++i) nonce[4 + i] = static_cast<uint8_t>(n >> (8 * i));
  return nonce;
}

Error SpentError() { return MakeError(ErrorCode::kInternal, "noise: cipher state was moved from"); }
Error ExhaustedError() {
  return MakeError(ErrorCode::kLimitExceeded, "noise: cipher state nonce exhausted");
}

}  // namespace

CipherState::CipherState(CipherState&& other) noexcept
    : k_(std::move(other.k_)),
      n_(std::exchange(other.n_, kMaxNonce)),
      has_key_(std::exchange(other.has_key_, false)),
      spent_(std::exchange(other.spent_, true)) {}

CipherState& CipherState::operator=(CipherState&& other) noexcept {
  if (this != &other) {
    k_ = std::move(other.k_);
    n_ = std::exchange(other.n_, kMaxNonce);
    has_key_ = std::exchange(other.has_key_, false);
    spent_ = std::exchange(other.spent_, true);
  }
  return *this;
}

void CipherState::InitializeKey(crypto::ConstSpan<kKeyLen> key) {
  k_ = crypto::SecretArray<kKeyLen>(key);
  n_ = 0;
  has_key_ = true;
  spent_ = false;
}

Result<Bytes> CipherState::EncryptWithAd(ByteView ad, ByteView plaintext) {
  if (spent_) return SpentError();
  if (!has_key_) return Bytes(plaintext.begin(), plaintext.end());
  if (n_ == kMaxNonce) return ExhaustedError();
  Bytes out = crypto::ChaChaIetfSeal(k_.span(), MakeNonce(n_), ad, plaintext);
  ++n_;
  return out;
}

Result<Bytes> CipherState::DecryptWithAd(ByteView ad, ByteView ciphertext) {
  if (spent_) return SpentError();
  if (!has_key_) return Bytes(ciphertext.begin(), ciphertext.end());
  if (n_ == kMaxNonce) return ExhaustedError();
  ATTUNE_ASSIGN_OR_RETURN(Bytes plaintext,
                          crypto::ChaChaIetfOpen(k_.span(), MakeNonce(n_), ad, ciphertext));
  ++n_;
  return plaintext;
}

}  // namespace attune::noise
