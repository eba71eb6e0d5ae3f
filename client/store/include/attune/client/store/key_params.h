// The key-derivation parameters of a profile's database: a small, versioned
// text file `keyparams` beside the database (docs/PROTOCOL.md (part client),
// "Key parameters file").
//
// The file holds no secret: a random salt and the Argon2id limits. It is
// parsed strictly (exact line order, no trailing bytes) into a KeyParams that
// can only exist with limits libsodium accepts and that are at least
// libsodium's INTERACTIVE limits.
#pragma once

#include <string>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/pwhash.h"
#include "attune/crypto/random.h"

namespace attune::client::store {

inline constexpr std::string_view kKeyParamsMagic = "attune-keyparams 1";
inline constexpr size_t kKeyParamsMaxFileSize = 512;

// Which Argon2id limits a new profile gets.
enum class KdfStrength {
  kModerate,         // libsodium MODERATE (3 passes, 256 MiB): every real profile
  kTestInteractive,  // libsodium INTERACTIVE (2 passes, 64 MiB): ATTUNE_TEST_FAST_KDF=1, tests only
};

struct KeyParams {
  ByteArray<crypto::kArgon2SaltSize> salt{};
  crypto::Argon2idParams argon2{};
  // BLAKE2b-128 keyed by the derived database key (database_key.h): lets a
  // wrong passphrase be told apart from a damaged database without touching
  // the database. It is no easier to brute-force than the database itself.
  ByteArray<16> check{};

  // A fresh random salt with the limits of `strength`; `check` is zero until
  // the caller sets it from the derived key.
  static KeyParams Fresh(crypto::RandomSource& random, KdfStrength strength);

  // The exact file text (docs/PROTOCOL.md (part client)).
  std::string Serialize() const;

  // Fails with kUnsupportedVersion for an unknown first line and
  // kInvalidArgument for anything else that is not exactly the format.
  static Result<KeyParams> Parse(std::string_view text);

  // True when the limits are weaker than MODERATE (a test profile).
  bool IsWeakerThanModerate() const;
};

}  // namespace attune::client::store
