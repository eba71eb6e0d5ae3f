// ChaCha20-Poly1305-IETF and XChaCha20-Poly1305 against Wycheproof
// (chacha20_poly1305_test.json: 325 vectors, xchacha20_poly1305_test.json:
// 315 vectors).
//
// Valid vectors: seal reproduces ct || tag and open returns msg. Invalid
// vectors (all ModifiedTag): open fails with kAuthFailed. Vectors whose
// nonce has another length (flag InvalidNonceSize, 9 per file) cannot be
// expressed at all: the API takes ConstSpan<12> / ConstSpan<24>, so a wrong
// nonce size is a compile error. They are counted as skipped, not run.
#include <gtest/gtest.h>

#include <type_traits>

#include "attune/crypto/aead.h"
#include "attune/crypto/util.h"
#include "wycheproof_util.h"

namespace attune::crypto {
namespace {

using testing::Describe;
using testing::HasFlag;
using testing::HexField;

// The fixed-size nonce parameter is what makes the skipped vectors
// inexpressible; keep that property from regressing into a ByteView.
static_assert(
    !std::is_convertible_v<ConstSpan<kXChaChaNonceSize>, ConstSpan<kChaChaIetfNonceSize>>);
static_assert(!std::is_constructible_v<ConstSpan<kChaChaIetfNonceSize>, ConstSpan<16>>);

struct Counts {
  size_t valid = 0;
  size_t invalid = 0;
  size_t skipped_nonce_size = 0;
};

// Runs one Wycheproof AEAD file through our API for nonce size NonceSize.
template <size_t NonceSize, typename SealFn, typename OpenFn>
Counts RunAeadFile(const nlohmann::json& json, SealFn seal, OpenFn open) {
  Counts counts;
  for (const auto& group : json["testGroups"]) {
    EXPECT_EQ(group["keySize"].get<size_t>(), kAeadKeySize * 8);
    EXPECT_EQ(group["tagSize"].get<size_t>(), kAeadTagSize * 8);
    const bool supported = group["ivSize"].get<size_t>() == NonceSize * 8;
    for (const auto& test : group["tests"]) {
      const Bytes key = HexField(test, "key");
      const Bytes iv = HexField(test, "iv");
      const Bytes aad = HexField(test, "aad");
      const Bytes msg = HexField(test, "msg");
      Bytes ct_and_tag = HexField(test, "ct");
      Append(ct_and_tag, HexField(test, "tag"));
      if (!supported) {
        EXPECT_NE(iv.size(), NonceSize) << Describe(test);
        EXPECT_TRUE(HasFlag(test, "InvalidNonceSize")) << Describe(test);
        EXPECT_EQ(test["result"], "invalid") << Describe(test);
        ++counts.skipped_nonce_size;
        continue;
      }
      EXPECT_EQ(key.size(), kAeadKeySize) << Describe(test);
      EXPECT_EQ(iv.size(), NonceSize) << Describe(test);
      if (key.size() != kAeadKeySize || iv.size() != NonceSize) continue;
      const ConstSpan<kAeadKeySize> k(key.data(), kAeadKeySize);
      const ConstSpan<NonceSize> n(iv.data(), NonceSize);

      auto opened = open(k, n, aad, ct_and_tag);
      if (test["result"] == "valid") {
        ++counts.valid;
        EXPECT_EQ(ToHex(seal(k, n, aad, msg)), ToHex(ct_and_tag)) << Describe(test);
        if (!opened.ok()) {
          ADD_FAILURE() << Describe(test) << ": " << opened.error().ToString();
          continue;
        }
        EXPECT_EQ(ToHex(*opened), ToHex(msg)) << Describe(test);
      } else {
        ++counts.invalid;
        EXPECT_EQ(test["result"], "invalid") << Describe(test);
        EXPECT_TRUE(HasFlag(test, "ModifiedTag")) << Describe(test);
        if (opened.ok()) {
          ADD_FAILURE() << Describe(test) << ": forged ciphertext opened";
          continue;
        }
        EXPECT_EQ(opened.error().code, ErrorCode::kAuthFailed) << Describe(test);
      }
    }
  }
  return counts;
}

TEST(WycheproofAead, ChaCha20Poly1305Ietf) {
  ATTUNE_REQUIRE_SHARED_VECTORS(shared);
  ASSERT_TRUE(Init().ok());
  auto json = testing::LoadWycheproof(shared, "chacha20_poly1305_test.json", 325);
  ASSERT_TRUE(json);
  Counts c = RunAeadFile<kChaChaIetfNonceSize>(
      *json, [](auto k, auto n, ByteView ad, ByteView m) { return ChaChaIetfSeal(k, n, ad, m); },
      [](auto k, auto n, ByteView ad, ByteView ct) { return ChaChaIetfOpen(k, n, ad, ct); });
  EXPECT_EQ(c.valid, 256u);
  EXPECT_EQ(c.invalid, 60u);
  EXPECT_EQ(c.skipped_nonce_size, 9u);
}

TEST(WycheproofAead, XChaCha20Poly1305) {
  ATTUNE_REQUIRE_SHARED_VECTORS(shared);
  ASSERT_TRUE(Init().ok());
  auto json = testing::LoadWycheproof(shared, "xchacha20_poly1305_test.json", 315);
  ASSERT_TRUE(json);
  Counts c = RunAeadFile<kXChaChaNonceSize>(
      *json, [](auto k, auto n, ByteView ad, ByteView m) { return XChaChaSeal(k, n, ad, m); },
      [](auto k, auto n, ByteView ad, ByteView ct) { return XChaChaOpen(k, n, ad, ct); });
  EXPECT_EQ(c.valid, 246u);
  EXPECT_EQ(c.invalid, 60u);
  EXPECT_EQ(c.skipped_nonce_size, 9u);
}

// The in-place variants must agree with the copying ones on every vector.
TEST(WycheproofAead, XChaCha20Poly1305InPlace) {
  ATTUNE_REQUIRE_SHARED_VECTORS(shared);
  ASSERT_TRUE(Init().ok());
  auto json = testing::LoadWycheproof(shared, "xchacha20_poly1305_test.json", 315);
  ASSERT_TRUE(json);
  Counts c = RunAeadFile<kXChaChaNonceSize>(
      *json,
      [](auto k, auto n, ByteView ad, ByteView m) {
        Bytes buffer(m.begin(), m.end());
        buffer.resize(m.size() + kAeadTagSize);
        XChaChaSealInPlace(k, n, ad, buffer);
        return buffer;
      },
      [](auto k, auto n, ByteView ad, ByteView ct) -> Result<Bytes> {
        Bytes buffer(ct.begin(), ct.end());
        Status s = XChaChaOpenInPlace(k, n, ad, buffer);
        if (!s.ok()) {
          // A failed open must leave the buffer as it was.
          EXPECT_EQ(ToHex(buffer), ToHex(ct));
          return s.error();
        }
        buffer.resize(buffer.size() - kAeadTagSize);
        return buffer;
      });
  EXPECT_EQ(c.valid, 246u);
  EXPECT_EQ(c.invalid, 60u);
  EXPECT_EQ(c.skipped_nonce_size, 9u);
}

}  // namespace
}  // namespace attune::crypto
