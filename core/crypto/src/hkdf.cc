#include "attune/crypto/hkdf.h"

#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <cstring>

#include "attune/crypto/hash.h"

namespace attune::crypto {
namespace {

// out must be HashLen bytes.
void Hmac(HkdfHash hash, ByteView key, ByteView data, MutableByteView out) {
  if (hash == HkdfHash::kSha256) {
    HmacSha256(key, data, MutSpan<32>(out.data(), 32));
  } else {
    HmacSha512(key, data, MutSpan<64>(out.data(), 64));
  }
}

}  // namespace

size_t HkdfHashLength(HkdfHash hash) { return hash == HkdfHash::kSha256 ? 32 : 64; }

void HkdfExtract(HkdfHash hash, ByteView salt, ByteView ikm, MutableByteView prk) {
  const size_t hash_len = HkdfHashLength(hash);
  assert(prk.size() == hash_len);
  uint8_t zero_salt[64] = {0};
  ByteView effective_salt = salt.empty() ? ByteView(zero_salt, hash_len) : salt;
  Hmac(hash, effective_salt, ikm, prk);
}

Status HkdfExpand(HkdfHash hash, ByteView prk, ByteView info, MutableByteView okm) {
  const size_t hash_len = HkdfHashLength(hash);
  if (okm.size() > 255 * hash_len || prk.size() < hash_len) {
    if (!okm.empty()) sodium_memzero(okm.data(), okm.size());
    return MakeError(ErrorCode::kInvalidArgument, "HKDF output too long or PRK too short");
  }
  // T(i) = HMAC(PRK, T(i-1) || info || i)
  Bytes block;
  block.reserve(hash_len + info.size() + 1);
  uint8_t t[64];
  size_t written = 0;
  for (uint8_t i = 1; written < okm.size(); ++i) {
    block.clear();
    if (i > 1) block.insert(block.end(), t, t + hash_len);
    block.insert(block.end(), info.begin(), info.end());
    block.push_back(i);
    Hmac(hash, prk, block, MutableByteView(t, hash_len));
    const size_t n = std::min(hash_len, okm.size() - written);
    std::memcpy(okm.data() + written, t, n);
    written += n;
  }
  sodium_memzero(t, sizeof(t));
  sodium_memzero(block.data(), block.size());
  return Status::Ok();
}

Status Hkdf(HkdfHash hash, ByteView salt, ByteView ikm, ByteView info, MutableByteView okm) {
  uint8_t prk[64];
  const size_t hash_len = HkdfHashLength(hash);
  HkdfExtract(hash, salt, ikm, MutableByteView(prk, hash_len));
  Status s = HkdfExpand(hash, ByteView(prk, hash_len), info, okm);
  sodium_memzero(prk, sizeof(prk));
  return s;
}

}  // namespace attune::crypto
