#include <gtest/gtest.h>

#include "attune/crypto/aead.h"
#include "attune/crypto/ed25519.h"
#include "attune/crypto/hkdf.h"
#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/crypto/x25519.h"

namespace attune::crypto {
namespace {

TEST(CryptoBasics, X25519AgreesBothWays) {
  ASSERT_TRUE(Init().ok());
  DeterministicRandom rng("x25519-agree");
  auto a = GenerateX25519KeyPair(rng);
  auto b = GenerateX25519KeyPair(rng);
  auto ab = X25519(a.private_key.span(), b.public_key);
  auto ba = X25519(b.private_key.span(), a.public_key);
  ASSERT_TRUE(ab.ok());
  ASSERT_TRUE(ba.ok());
  EXPECT_TRUE(ConstantTimeEqual(ab->view(), ba->view()));
}

}  // namespace
}  // namespace attune::crypto
