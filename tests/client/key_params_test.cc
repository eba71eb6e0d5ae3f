#include "attune/client/store/key_params.h"

#include <gtest/gtest.h>

#include "attune/client/store/database_key.h"
#include "attune/crypto/random.h"

namespace attune::client::store {
namespace {

KeyParams Sample() {
  crypto::DeterministicRandom random("keyparams-test");
  KeyParams p = KeyParams::Fresh(random, KdfStrength::kModerate);
  p.check.fill(0xab);
  return p;
}

TEST(KeyParams, RoundTripsExactText) {
  KeyParams p = Sample();
  std::string text = p.Serialize();
  EXPECT_TRUE(text.starts_with("attune-keyparams 1\nkdf argon2id13\nsalt "));
  EXPECT_NE(text.find("\nopslimit 3\nmemlimit 268435456\ncheck abababab"), std::string::npos);
  auto parsed = KeyParams::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->salt, p.salt);
  EXPECT_EQ(parsed->check, p.check);
  EXPECT_EQ(parsed->argon2.ops_limit, 3u);
  EXPECT_FALSE(parsed->IsWeakerThanModerate());
}

TEST(KeyParams, RejectsAnythingButTheExactFormat) {
  const std::string good = Sample().Serialize();
  EXPECT_EQ(KeyParams::Parse(good + "x\n").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(KeyParams::Parse(good.substr(0, good.size() - 1)).error().code,
            ErrorCode::kInvalidArgument);
  std::string upper = good;
  upper[upper.find("salt ") + 5] = 'A';
  EXPECT_FALSE(KeyParams::Parse(upper).ok());
  std::string v2 = good;
  v2.replace(0, 18, "attune-keyparams 2");
  EXPECT_EQ(KeyParams::Parse(v2).error().code, ErrorCode::kUnsupportedVersion);
  std::string zero_padded = good;
  zero_padded.replace(zero_padded.find("opslimit 3"), 10, "opslimit 03");
  EXPECT_FALSE(KeyParams::Parse(zero_padded).ok());
}

TEST(KeyParams, RejectsLimitsBelowInteractive) {
  std::string weak = Sample().Serialize();
  weak.replace(weak.find("memlimit 268435456"), 18, "memlimit 8192");
  EXPECT_EQ(KeyParams::Parse(weak).error().code, ErrorCode::kInvalidArgument);
  std::string one_pass = Sample().Serialize();
  one_pass.replace(one_pass.find("opslimit 3"), 10, "opslimit 1");
  EXPECT_FALSE(KeyParams::Parse(one_pass).ok());
}

TEST(DatabaseKey, RawKeySpecIsSqlcipherRawKeyForm) {
  DatabaseKey key;
  for (size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<uint8_t>(i);
  crypto::SecretBytes spec = RawKeySpec(key);
  std::string s(AsStringView(spec.view()));
  EXPECT_EQ(s, "x'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'");
}

TEST(DatabaseKey, DerivationDependsOnPassphraseAndSalt) {
  crypto::DeterministicRandom random("derive");
  KeyParams a = KeyParams::Fresh(random, KdfStrength::kTestInteractive);
  KeyParams b = KeyParams::Fresh(random, KdfStrength::kTestInteractive);
  auto k1 = DeriveDatabaseKey(AsBytes("correct horse"), a);
  auto k2 = DeriveDatabaseKey(AsBytes("correct horse"), a);
  auto k3 = DeriveDatabaseKey(AsBytes("correct horsf"), a);
  auto k4 = DeriveDatabaseKey(AsBytes("correct horse"), b);
  ASSERT_TRUE(k1.ok() && k2.ok() && k3.ok() && k4.ok());
  EXPECT_EQ(ComputeKeyCheck(*k1), ComputeKeyCheck(*k2));
  EXPECT_NE(ComputeKeyCheck(*k1), ComputeKeyCheck(*k3));
  EXPECT_NE(ComputeKeyCheck(*k1), ComputeKeyCheck(*k4));
  EXPECT_EQ(DeriveDatabaseKey(AsBytes(""), a).error().code, ErrorCode::kInvalidArgument);
  std::string too_long(kMaxPassphraseSize + 1, 'p');
  EXPECT_EQ(DeriveDatabaseKey(AsBytes(too_long), a).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace attune::client::store
