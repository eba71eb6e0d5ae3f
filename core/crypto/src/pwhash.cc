#include "attune/crypto/pwhash.h"

#include <sodium.h>

namespace attune::crypto {

static_assert(crypto_pwhash_argon2id_SALTBYTES == kArgon2SaltSize);

Argon2idParams Argon2idParams::Moderate() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
}

Argon2idParams Argon2idParams::Interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

bool Argon2idParams::IsValid() const {
  return ops_limit >= crypto_pwhash_argon2id_OPSLIMIT_MIN &&
         ops_limit <= crypto_pwhash_argon2id_OPSLIMIT_MAX &&
         mem_limit >= crypto_pwhash_argon2id_MEMLIMIT_MIN &&
         mem_limit <= crypto_pwhash_argon2id_MEMLIMIT_MAX;
}

Status Argon2id(ByteView password, ConstSpan<kArgon2SaltSize> salt, const Argon2idParams& params,
                MutableByteView out) {
  if (!params.IsValid() || out.size() < crypto_pwhash_argon2id_BYTES_MIN) {
    return MakeError(ErrorCode::kInvalidArgument, "Argon2id parameters out of range");
  }
  // crypto_pwhash declares the password nonnull even when it is empty.
  static constexpr char kEmptyPassword = 0;
  const char* password_ptr =
      password.empty() ? &kEmptyPassword : reinterpret_cast<const char*>(password.data());
  if (crypto_pwhash(out.data(), out.size(), password_ptr, password.size(), salt.data(),
                    params.ops_limit, static_cast<size_t>(params.mem_limit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return MakeError(ErrorCode::kInternal, "Argon2id could not allocate its memory");
  }
  return Status::Ok();
}

}  // namespace attune::crypto
