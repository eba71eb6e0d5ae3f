// Shared set-up for the ratchet tests: two sessions initialised from a fixed
// RatchetInit (random secrets and a responder ratchet key pair), as X3DH
// would produce them. Deterministic per seed label.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/e2e/session.h"
#include "e2e_test_time.h"

namespace attune::e2e::testing {

struct SessionPair {
  Session alice;  // initiator
  Session bob;    // responder
};

inline RatchetInit MakeInit(crypto::RandomSource& rng, std::string_view ad) {
  RatchetInit init;
  init.root_key = rng.Secret<32>();
  init.shared_hka = rng.Secret<32>();
  init.shared_nhkb = rng.Secret<32>();
  init.associated_data = Bytes(ad.begin(), ad.end());
  return init;
}

inline RatchetInit CloneInit(const RatchetInit& init) {
  return RatchetInit{init.root_key.Clone(), init.shared_hka.Clone(), init.shared_nhkb.Clone(),
                     init.associated_data};
}

inline SessionPair MakePair(crypto::RandomSource& rng,
                            std::string_view ad = "alice-identity|bob-identity") {
  EXPECT_TRUE(crypto::Init().ok());
  RatchetInit init = MakeInit(rng, ad);
  crypto::X25519KeyPair bob_ratchet = crypto::GenerateX25519KeyPair(rng);
  const crypto::X25519PublicKey bob_public = bob_ratchet.public_key;
  Session bob = Session::InitResponder(CloneInit(init), std::move(bob_ratchet));
  Result<Session> alice = Session::InitInitiator(std::move(init), bob_public, rng);
  EXPECT_TRUE(alice.ok());
  return SessionPair{std::move(alice).value(), std::move(bob)};
}

inline Bytes MustEncrypt(Session& s, std::string_view text, crypto::RandomSource& rng) {
  Result<Bytes> r = s.Encrypt(Text(text), rng);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
  return r.ok() ? std::move(r).value() : Bytes{};
}

// Decrypts and expects exactly `text`.
inline void ExpectDecrypts(Session& s, const Bytes& wire, std::string_view text,
                           uint64_t now = kNow) {
  Result<Bytes> r = s.Decrypt(wire, now);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(AsStringView(*r), text);
}

// Expects Decrypt to fail with `code` and leave the state byte-for-byte
// unchanged.
inline void ExpectRejected(Session& s, ByteView wire, ErrorCode code, uint64_t now = kNow) {
  const Bytes before = s.Serialize();
  Result<Bytes> r = s.Decrypt(wire, now);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code) << r.error().ToString();
  EXPECT_EQ(s.Serialize(), before) << "state changed by a failed Decrypt";
}

}  // namespace attune::e2e::testing
