// Containers for secret bytes. Every secret in Attune lives in one of these:
//
//   SecretArray<N>   inline storage, wiped on destruction and on move. For
//                    short-lived keys on the hot path (message keys, DH
//                    outputs, chain keys in scratch state).
//   LockedSecret<N>  sodium_malloc()'d storage (guard pages, mlock'd, wiped by
//                    sodium_free). For long-lived keys (identity, relay static).
//   SecretBytes      variable-length sodium_malloc()'d storage (passphrases,
//                    database keys).
//
// All are move-only; copying must be explicit (Clone()). Never put their
// contents in std::string, a log line or an exception message. Compare them
// only with ConstantTimeEqual (attune/crypto/util.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <utility>

#include "attune/base/bytes.h"

namespace attune::crypto {

// Implemented in util.cc. Only core/crypto's .cc files include <sodium.h>;
// this header gives everyone else wiped, sodium-allocated memory without it.
void SecureZero(void* p, size_t n);
void* SecureAlloc(size_t n);  // aborts on allocation failure
void SecureFree(void* p);

template <size_t N>
using ConstSpan = std::span<const uint8_t, N>;
template <size_t N>
using MutSpan = std::span<uint8_t, N>;

template <size_t N>
class SecretArray {
 public:
  static constexpr size_t kSize = N;

  SecretArray() { std::memset(bytes_, 0, N); }
  explicit SecretArray(ConstSpan<N> from) { std::memcpy(bytes_, from.data(), N); }
  ~SecretArray() { SecureZero(bytes_, N); }

  SecretArray(SecretArray&& other) noexcept {
    std::memcpy(bytes_, other.bytes_, N);
    SecureZero(other.bytes_, N);
  }
  SecretArray& operator=(SecretArray&& other) noexcept {
    if (this != &other) {
      std::memcpy(bytes_, other.bytes_, N);
      SecureZero(other.bytes_, N);
    }
    return *this;
  }
  SecretArray(const SecretArray&) = delete;
  SecretArray& operator=(const SecretArray&) = delete;

  SecretArray Clone() const { return SecretArray(span()); }

  uint8_t* data() { return bytes_; }
  const uint8_t* data() const { return bytes_; }
  static constexpr size_t size() { return N; }
  ConstSpan<N> span() const { return ConstSpan<N>(bytes_, N); }
  MutSpan<N> mutable_span() { return MutSpan<N>(bytes_, N); }
  ByteView view() const { return ByteView(bytes_, N); }

 private:
  uint8_t bytes_[N]{};
};

template <size_t N>
class LockedSecret {
 public:
  static constexpr size_t kSize = N;

  LockedSecret() : bytes_(static_cast<uint8_t*>(SecureAlloc(N))) { std::memset(bytes_, 0, N); }
  explicit LockedSecret(ConstSpan<N> from) : LockedSecret() { std::memcpy(bytes_, from.data(), N); }
  ~LockedSecret() {
    if (bytes_ != nullptr) SecureFree(bytes_);
  }

  LockedSecret(LockedSecret&& other) noexcept : bytes_(std::exchange(other.bytes_, nullptr)) {}
  LockedSecret& operator=(LockedSecret&& other) noexcept {
    if (this != &other) {
      if (bytes_ != nullptr) SecureFree(bytes_);
      bytes_ = std::exchange(other.bytes_, nullptr);
    }
    return *this;
  }
  LockedSecret(const LockedSecret&) = delete;
  LockedSecret& operator=(const LockedSecret&) = delete;

  LockedSecret Clone() const { return LockedSecret(span()); }

  // A moved-from LockedSecret has no storage; using it is a bug.
  uint8_t* data() { return bytes_; }
  const uint8_t* data() const { return bytes_; }
  static constexpr size_t size() { return N; }
  ConstSpan<N> span() const { return ConstSpan<N>(bytes_, N); }
  MutSpan<N> mutable_span() { return MutSpan<N>(bytes_, N); }
  ByteView view() const { return ByteView(bytes_, N); }

 private:
  uint8_t* bytes_ = nullptr;
};

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n);
  explicit SecretBytes(ByteView from);
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  SecretBytes Clone() const { return SecretBytes(view()); }

  uint8_t* data() { return bytes_; }
  const uint8_t* data() const { return bytes_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteView view() const { return ByteView(bytes_, size_); }
  MutableByteView mutable_view() { return MutableByteView(bytes_, size_); }

 private:
  uint8_t* bytes_ = nullptr;
  size_t size_ = 0;
};

}  // namespace attune::crypto
