// The one door to libsodium for initialisation, memory and comparison.
#include "attune/crypto/util.h"

#include <sodium.h>

#include <cstdlib>
#include <mutex>

#include "attune/crypto/secret.h"

namespace attune::crypto {

Status Init() {
  // sodium_init() is idempotent and thread-safe; it returns 1 when already
  // initialised.
  if (sodium_init() < 0) {
    return MakeError(ErrorCode::kInternal, "libsodium failed to initialise");
  }
  return Status::Ok();
}

bool ConstantTimeEqual(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool IsAllZero(ByteView a) { return sodium_is_zero(a.data(), a.size()) == 1; }

void SecureZero(void* p, size_t n) {
  if (n != 0) sodium_memzero(p, n);
}

void* SecureAlloc(size_t n) {
  // sodium_malloc needs an initialised library (it reads the page size).
  if (sodium_init() < 0) std::abort();
  void* p = sodium_malloc(n == 0 ? 1 : n);
  if (p == nullptr) std::abort();  // out of memory; there is no safe fallback
  return p;
}

void SecureFree(void* p) { sodium_free(p); }

SecretBytes::SecretBytes(size_t n) : bytes_(static_cast<uint8_t*>(SecureAlloc(n))), size_(n) {
  sodium_memzero(bytes_, n == 0 ? 1 : n);
}

SecretBytes::SecretBytes(ByteView from) : SecretBytes(from.size()) {
  if (!from.empty()) std::memcpy(bytes_, from.data(), from.size());
}

SecretBytes::~SecretBytes() {
  if (bytes_ != nullptr) sodium_free(bytes_);
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : bytes_(std::exchange(other.bytes_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    if (bytes_ != nullptr) sodium_free(bytes_);
    bytes_ = std::exchange(other.bytes_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

}  // namespace attune::crypto
