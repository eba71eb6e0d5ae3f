#include "attune/client/store/database_key.h"

#include "attune/crypto/hash.h"

namespace attune::client::store {

Result<DatabaseKey> DeriveDatabaseKey(ByteView passphrase, const KeyParams& params) {
  if (passphrase.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "the passphrase is empty");
  }
  if (passphrase.size() > kMaxPassphraseSize) {
    return MakeError(ErrorCode::kInvalidArgument, "the passphrase is longer than 1024 bytes");
  }
  DatabaseKey key;
  ATTUNE_RETURN_IF_ERROR(
      crypto::Argon2id(passphrase, params.salt, params.argon2, key.mutable_span()));
  return key;
}

ByteArray<16> ComputeKeyCheck(const DatabaseKey& key) {
  ByteArray<16> check;
  crypto::Blake2b(check, AsBytes("attune/v1/keyparams-check"), key.view());
  return check;
}

crypto::SecretBytes RawKeySpec(const DatabaseKey& key) {
  static constexpr char kHex[] = "0123456789abcdef";
  crypto::SecretBytes spec(3 + 2 * kDatabaseKeySize);
  uint8_t* out = spec.data();
  *out++ = 'x';
  *out++ = '\'';
  for (uint8_t b : key.view()) {
    *out++ = static_cast<uint8_t>(kHex[b >> 4]);
    *out++ = static_cast<uint8_t>(kHex[b & 0x0f]);
  }
  *out++ = '\'';
  return spec;
}

}  // namespace attune::client::store
