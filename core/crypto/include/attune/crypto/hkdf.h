// HKDF (RFC 5869) built on libsodium's HMAC-SHA-256/512 (libsodium 1.0.18
// has no HKDF of its own).
#pragma once

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/secret.h"

namespace attune::crypto {

enum class HkdfHash { kSha256, kSha512 };

size_t HkdfHashLength(HkdfHash hash);

// PRK = HMAC(salt, ikm). prk.size() must equal HkdfHashLength(hash). An
// empty salt means HashLen zero bytes, as RFC 5869 says.
void HkdfExtract(HkdfHash hash, ByteView salt, ByteView ikm, MutableByteView prk);

// OKM = T(1) || T(2) || ... truncated to okm.size(). Fails with
// kInvalidArgument when okm.size() > 255 * HashLen or prk is shorter than
// HashLen; okm is then zeroed.
Status HkdfExpand(HkdfHash hash, ByteView prk, ByteView info, MutableByteView okm);

// Extract then expand.
Status Hkdf(HkdfHash hash, ByteView salt, ByteView ikm, ByteView info, MutableByteView okm);

}  // namespace attune::crypto
