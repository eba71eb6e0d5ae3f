// Hashes and MACs: BLAKE2b, SHA-2, HMAC-SHA-256/512 (RFC 2104, libsodium),
// and HMAC-BLAKE2b-512 (RFC 2104 over BLAKE2b, block 128 bytes) as Noise
// requires for its HKDF.
#pragma once

#include "attune/base/bytes.h"
#include "attune/crypto/secret.h"

namespace attune::crypto {

inline constexpr size_t kBlake2bMinOutput = 16;
inline constexpr size_t kBlake2bMaxOutput = 64;
inline constexpr size_t kBlake2bMaxKey = 64;

// BLAKE2b with out.size() in [16, 64] and key.size() in [0, 64] (asserted).
void Blake2b(MutableByteView out, ByteView data, ByteView key = {});
ByteArray<32> Blake2b256(ByteView data);
ByteArray<64> Blake2b512(ByteView data);

// Incremental BLAKE2b for hashing several parts without concatenating.
class Blake2bHasher {
 public:
  explicit Blake2bHasher(size_t out_len, ByteView key = {});
  ~Blake2bHasher();
  Blake2bHasher(const Blake2bHasher&) = delete;
  Blake2bHasher& operator=(const Blake2bHasher&) = delete;
  Blake2bHasher& Update(ByteView data);
  void Final(MutableByteView out);  // out.size() must equal out_len

 private:
  alignas(64) unsigned char state_[384]{};
  size_t out_len_ = 0;
};

ByteArray<32> Sha256(ByteView data);
ByteArray<64> Sha512(ByteView data);

// HMACs accept keys of any length. Outputs are usually keys, so they are
// written into caller-provided (secret) storage.
void HmacSha256(ByteView key, ByteView data, MutSpan<32> out);
void HmacSha512(ByteView key, ByteView data, MutSpan<64> out);
void HmacBlake2b512(ByteView key, ByteView data, MutSpan<64> out);

}  // namespace attune::crypto
