// Secret containers (secret.h) and constant-time helpers (util.h).
#include "attune/crypto/secret.h"

#include <gtest/gtest.h>

#include <new>
#include <type_traits>

#include "attune/crypto/util.h"

namespace attune::crypto {
namespace {

static_assert(!std::is_copy_constructible_v<SecretArray<32>>);
static_assert(!std::is_copy_assignable_v<SecretArray<32>>);
static_assert(!std::is_copy_constructible_v<LockedSecret<32>>);
static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretArray<32>>);
static_assert(std::is_nothrow_move_constructible_v<LockedSecret<32>>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);

ByteArray<32> Pattern(uint8_t start) {
  ByteArray<32> a{};
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<uint8_t>(start + i);
  return a;
}

class SecretTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Init().ok()); }
};

TEST_F(SecretTest, SecretArrayStartsZeroAndCopiesItsInput) {
  SecretArray<32> empty;
  EXPECT_TRUE(IsAllZero(empty.view()));
  const auto p = Pattern(1);
  SecretArray<32> s(p);
  EXPECT_TRUE(ConstantTimeEqual(s.view(), p));
  EXPECT_EQ(s.size(), 32u);
}

TEST_F(SecretTest, SecretArrayMoveWipesTheSource) {
  const auto p = Pattern(7);
  SecretArray<32> a(p);
  SecretArray<32> b(std::move(a));
  EXPECT_TRUE(ConstantTimeEqual(b.view(), p));
  EXPECT_TRUE(IsAllZero(a.view()));  // NOLINT(bugprone-use-after-move): checking the wipe

  SecretArray<32> c(Pattern(100));
  c = std::move(b);
  EXPECT_TRUE(ConstantTimeEqual(c.view(), p));
  EXPECT_TRUE(IsAllZero(b.view()));  // NOLINT(bugprone-use-after-move)

  SecretArray<32>& alias = c;
  c = std::move(alias);  // self-move keeps the value
  EXPECT_TRUE(ConstantTimeEqual(c.view(), p));
}

TEST_F(SecretTest, SecretArrayDestructorWipesItsStorage) {
  alignas(SecretArray<32>) unsigned char storage[sizeof(SecretArray<32>)];
  auto* s = new (storage) SecretArray<32>(Pattern(9));
  ASSERT_FALSE(IsAllZero(ByteView(storage, sizeof(storage))));
  s->~SecretArray<32>();
  EXPECT_TRUE(IsAllZero(ByteView(storage, sizeof(storage))));
}

TEST_F(SecretTest, SecretArrayCloneIsIndependent) {
  SecretArray<32> a(Pattern(3));
  SecretArray<32> b = a.Clone();
  EXPECT_TRUE(ConstantTimeEqual(a.view(), b.view()));
  b.data()[0] ^= 1;
  EXPECT_FALSE(ConstantTimeEqual(a.view(), b.view()));
}

TEST_F(SecretTest, LockedSecretMoveTransfersStorage) {
  const auto p = Pattern(11);
  LockedSecret<32> a(p);
  const uint8_t* storage = a.data();
  LockedSecret<32> b(std::move(a));
  EXPECT_EQ(b.data(), storage);  // no copy of the secret was made
  EXPECT_EQ(a.data(), nullptr);  // NOLINT(bugprone-use-after-move): moved-from owns nothing
  EXPECT_TRUE(ConstantTimeEqual(b.view(), p));

  LockedSecret<32> c(Pattern(50));
  c = std::move(b);  // frees c's old storage
  EXPECT_EQ(c.data(), storage);
  EXPECT_EQ(b.data(), nullptr);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(ConstantTimeEqual(c.view(), p));
}

TEST_F(SecretTest, LockedSecretDefaultIsZeroAndCloneIsIndependent) {
  LockedSecret<64> zero;
  EXPECT_TRUE(IsAllZero(zero.view()));
  LockedSecret<32> a(Pattern(5));
  LockedSecret<32> b = a.Clone();
  EXPECT_NE(a.data(), b.data());
  EXPECT_TRUE(ConstantTimeEqual(a.view(), b.view()));
  b.mutable_span()[31] ^= 0x80;
  EXPECT_FALSE(ConstantTimeEqual(a.view(), b.view()));
}

TEST_F(SecretTest, SecretBytesHoldsAnyLength) {
  SecretBytes none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.size(), 0u);
  EXPECT_TRUE(none.view().empty());

  SecretBytes zero_length(size_t{0});
  EXPECT_TRUE(zero_length.empty());

  SecretBytes zeros(size_t{100});
  EXPECT_EQ(zeros.size(), 100u);
  EXPECT_TRUE(IsAllZero(zeros.view()));

  const std::string_view pass = "correct horse battery staple";
  SecretBytes s(AsBytes(pass));
  EXPECT_EQ(s.size(), pass.size());
  EXPECT_TRUE(ConstantTimeEqual(s.view(), AsBytes(pass)));
}

TEST_F(SecretTest, SecretBytesMoveEmptiesTheSource) {
  const std::string_view pass = "passphrase";
  SecretBytes a(AsBytes(pass));
  const uint8_t* storage = a.data();
  SecretBytes b(std::move(a));
  EXPECT_EQ(b.data(), storage);
  EXPECT_TRUE(a.empty());        // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(a.data(), nullptr);  // NOLINT(bugprone-use-after-move)

  SecretBytes c(AsBytes("old value"));
  c = std::move(b);
  EXPECT_TRUE(ConstantTimeEqual(c.view(), AsBytes(pass)));
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)

  SecretBytes d = c.Clone();
  EXPECT_NE(d.data(), c.data());
  EXPECT_TRUE(ConstantTimeEqual(d.view(), c.view()));
  d.mutable_view()[0] ^= 1;
  EXPECT_FALSE(ConstantTimeEqual(d.view(), c.view()));
}

TEST_F(SecretTest, ConstantTimeEqual) {
  const auto a = Pattern(0);
  auto b = a;
  EXPECT_TRUE(ConstantTimeEqual(a, b));
  b[0] ^= 1;
  EXPECT_FALSE(ConstantTimeEqual(a, b));
  b = a;
  b[31] ^= 0x80;
  EXPECT_FALSE(ConstantTimeEqual(a, b));
  // Different lengths never compare equal, even on a common prefix.
  EXPECT_FALSE(ConstantTimeEqual(ByteView(a).first(16), a));
  EXPECT_TRUE(ConstantTimeEqual(ByteView(), ByteView()));
  EXPECT_FALSE(ConstantTimeEqual(ByteView(), a));
}

TEST_F(SecretTest, IsAllZero) {
  ByteArray<33> z{};
  EXPECT_TRUE(IsAllZero(z));
  EXPECT_TRUE(IsAllZero(ByteView()));
  z[32] = 1;
  EXPECT_FALSE(IsAllZero(z));
  z[32] = 0;
  z[0] = 0x80;
  EXPECT_FALSE(IsAllZero(z));
}

}  // namespace
}  // namespace attune::crypto
