#include "attune/crypto/hash.h"

#include <sodium.h>

#include <cassert>

namespace attune::crypto {

static_assert(sizeof(crypto_generichash_blake2b_state) <= 384);
static_assert(crypto_generichash_blake2b_BYTES_MIN == kBlake2bMinOutput);
static_assert(crypto_generichash_blake2b_BYTES_MAX == kBlake2bMaxOutput);
static_assert(crypto_generichash_blake2b_KEYBYTES_MAX == kBlake2bMaxKey);

namespace {

// libsodium declares some pointer parameters nonnull even when their length
// is zero, and an empty span's data() may be null (undefined behaviour that
// UBSan reports). Point empty inputs at a harmless byte instead.
const uint8_t* NonNullData(ByteView b) {
  static constexpr uint8_t kEmpty = 0;
  return b.data() != nullptr ? b.data() : &kEmpty;
}

}  // namespace

void Blake2b(MutableByteView out, ByteView data, ByteView key) {
  assert(out.size() >= kBlake2bMinOutput && out.size() <= kBlake2bMaxOutput);
  assert(key.size() <= kBlake2bMaxKey);
  crypto_generichash_blake2b(out.data(), out.size(), data.data(), data.size(),
                             key.empty() ? nullptr : key.data(), key.size());
}

ByteArray<32> Blake2b256(ByteView data) {
  ByteArray<32> out;
  Blake2b(out, data);
  return out;
}

ByteArray<64> Blake2b512(ByteView data) {
  ByteArray<64> out;
  Blake2b(out, data);
  return out;
}

Blake2bHasher::Blake2bHasher(size_t out_len, ByteView key) : out_len_(out_len) {
  assert(out_len >= kBlake2bMinOutput && out_len <= kBlake2bMaxOutput);
  assert(key.size() <= kBlake2bMaxKey);
  crypto_generichash_blake2b_init(reinterpret_cast<crypto_generichash_blake2b_state*>(state_),
                                  key.empty() ? nullptr : key.data(), key.size(), out_len);
}

Blake2bHasher::~Blake2bHasher() { sodium_memzero(state_, sizeof(state_)); }

Blake2bHasher& Blake2bHasher::Update(ByteView data) {
  crypto_generichash_blake2b_update(reinterpret_cast<crypto_generichash_blake2b_state*>(state_),
                                    data.data(), data.size());
  return *this;
}

void Blake2bHasher::Final(MutableByteView out) {
  assert(out.size() == out_len_);
  crypto_generichash_blake2b_final(reinterpret_cast<crypto_generichash_blake2b_state*>(state_),
                                   out.data(), out.size());
}

ByteArray<32> Sha256(ByteView data) {
  ByteArray<32> out;
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

ByteArray<64> Sha512(ByteView data) {
  ByteArray<64> out;
  crypto_hash_sha512(out.data(), data.data(), data.size());
  return out;
}

void HmacSha256(ByteView key, ByteView data, MutSpan<32> out) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, NonNullData(key), key.size());
  crypto_auth_hmacsha256_update(&st, data.data(), data.size());
  crypto_auth_hmacsha256_final(&st, out.data());
  sodium_memzero(&st, sizeof(st));
}

void HmacSha512(ByteView key, ByteView data, MutSpan<64> out) {
  crypto_auth_hmacsha512_state st;
  crypto_auth_hmacsha512_init(&st, NonNullData(key), key.size());
  crypto_auth_hmacsha512_update(&st, data.data(), data.size());
  crypto_auth_hmacsha512_final(&st, out.data());
  sodium_memzero(&st, sizeof(st));
}

void HmacBlake2b512(ByteView key, ByteView data, MutSpan<64> out) {
  // RFC 2104 with H = BLAKE2b-512 (unkeyed), B = 128: the construction the
  // Noise specification (section 4.3) defines for its HKDF.
  static constexpr size_t kBlock = 128;
  uint8_t k0[kBlock] = {0};
  if (key.size() > kBlock) {
    crypto_generichash_blake2b(k0, 64, key.data(), key.size(), nullptr, 0);
  } else if (!key.empty()) {
    std::memcpy(k0, key.data(), key.size());
  }
  uint8_t pad[kBlock];
  uint8_t inner[64];
  crypto_generichash_blake2b_state st;

  for (size_t i = 0; i < kBlock; ++i) pad[i] = k0[i] ^ 0x36;
  crypto_generichash_blake2b_init(&st, nullptr, 0, 64);
  crypto_generichash_blake2b_update(&st, pad, kBlock);
  crypto_generichash_blake2b_update(&st, data.data(), data.size());
  crypto_generichash_blake2b_final(&st, inner, 64);

  for (size_t i = 0; i < kBlock; ++i) pad[i] = k0[i] ^ 0x5c;
  crypto_generichash_blake2b_init(&st, nullptr, 0, 64);
  crypto_generichash_blake2b_update(&st, pad, kBlock);
  crypto_generichash_blake2b_update(&st, inner, 64);
  crypto_generichash_blake2b_final(&st, out.data(), 64);

  sodium_memzero(k0, sizeof(k0));
  sodium_memzero(pad, sizeof(pad));
  sodium_memzero(inner, sizeof(inner));
  sodium_memzero(&st, sizeof(st));
}

}  // namespace attune::crypto
