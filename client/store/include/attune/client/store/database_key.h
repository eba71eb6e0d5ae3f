// The database key: Argon2id(passphrase, salt) with the profile's limits,
// 32 bytes, handed to SQLCipher as a raw key so that SQLCipher runs no KDF
// of its own (docs/PROTOCOL.md (part client), "Database key").
#pragma once

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/client/store/key_params.h"
#include "attune/crypto/secret.h"

namespace attune::client::store {

inline constexpr size_t kDatabaseKeySize = 32;
inline constexpr size_t kMaxPassphraseSize = 1024;

using DatabaseKey = crypto::LockedSecret<kDatabaseKeySize>;

// Fails with kInvalidArgument for an empty or over-long passphrase and
// kInternal when Argon2id cannot get its memory.
Result<DatabaseKey> DeriveDatabaseKey(ByteView passphrase, const KeyParams& params);

// BLAKE2b-128(key = database key, "attune/v1/keyparams-check"): the
// `check` line of the keyparams file.
ByteArray<16> ComputeKeyCheck(const DatabaseKey& key);

// THE one function that renders a key in SQLCipher's raw-key form
// x'<64 lower-case hex digits>' (67 bytes, no terminator), in locked memory
// that is wiped when the result is destroyed. Every use of the key
// (sqlite3_key_v2, ATTACH ... KEY ?) passes these bytes; no other code formats
// key material.
crypto::SecretBytes RawKeySpec(const DatabaseKey& key);

}  // namespace attune::client::store
