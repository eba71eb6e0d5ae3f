// Argon2id password hashing (libsodium crypto_pwhash, ALG_ARGON2ID13).
#pragma once

#include <cstdint>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/secret.h"

namespace attune::crypto {

inline constexpr size_t kArgon2SaltSize = 16;

struct Argon2idParams {
  uint64_t ops_limit = 0;
  uint64_t mem_limit = 0;  // bytes

  // libsodium's OPSLIMIT/MEMLIMIT_MODERATE (3, 256 MiB): the database key.
  static Argon2idParams Moderate();
  // libsodium's INTERACTIVE limits (2, 64 MiB): tests only.
  static Argon2idParams Interactive();
  // Rejects limits outside libsodium's allowed range (e.g. from a file).
  bool IsValid() const;
};

// Derives out.size() bytes. Fails with kInvalidArgument for out of range
// parameters and kInternal when memory could not be allocated.
Status Argon2id(ByteView password, ConstSpan<kArgon2SaltSize> salt, const Argon2idParams& params,
                MutableByteView out);

}  // namespace attune::crypto
