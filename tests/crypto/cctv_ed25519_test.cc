// Ed25519 edge cases from C2SP CCTV (ed25519vectors.json, 914 vectors).
//
// CCTV gives no single verdict: verifiers legitimately differ. We pin what
// libsodium 1.0.18's strict crypto_sign_verify_detached does, because peers
// must agree on which signed prekeys and invitations are valid:
//
//   accepted  iff every flag is low_order_component_A or low_order_component_R
//             (or there are no flags): 43 vectors. libsodium does not check
//             that A or R lie in the prime-order subgroup, and its
//             cofactorless equation holds for these.
//   rejected  any low_order_A, low_order_R (small-order blocklist),
//             non_canonical_A, non_canonical_R (canonical encodings only),
//             low_order_residue (cofactorless check) or reencoded_k: 871.
//
// A libsodium upgrade that changes any verdict fails this test on purpose.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "attune/crypto/ed25519.h"
#include "attune/crypto/util.h"
#include "wycheproof_util.h"

namespace attune::crypto {
namespace {

using ::attune::testing::HexToBytes;

bool ExpectedByLibsodium1018(const nlohmann::json& flags) {
  if (flags.is_null()) return true;
  for (const auto& flag : flags) {
    const std::string f = flag;
    if (f != "low_order_component_A" && f != "low_order_component_R") return false;
  }
  return true;
}

TEST(CctvEd25519, LibsodiumStrictVerdicts) {
  ATTUNE_REQUIRE_SHARED_VECTORS(shared);
  ASSERT_TRUE(Init().ok());
  auto json = ::attune::testing::LoadJson(shared / "cctv-ed25519" / "ed25519vectors.json");
  ASSERT_TRUE(json);
  ASSERT_TRUE(json->is_array());

  const std::set<std::string> known_flags = {
      "low_order_A",           "low_order_R",           "non_canonical_A",   "non_canonical_R",
      "low_order_component_A", "low_order_component_R", "low_order_residue", "reencoded_k"};
  size_t run = 0, accepted = 0;
  std::map<std::string, size_t> accepted_with_flag;
  for (const auto& v : *json) {
    ++run;
    const Bytes key = HexToBytes(v["key"]);
    const Bytes sig = HexToBytes(v["sig"]);
    const std::string msg = v["msg"];  // UTF-8 text, not hex
    ASSERT_EQ(key.size(), kEd25519PublicKeySize);
    ASSERT_EQ(sig.size(), kEd25519SignatureSize);
    if (!v["flags"].is_null()) {
      for (const auto& f : v["flags"]) {
        EXPECT_TRUE(known_flags.count(f.get<std::string>())) << "unknown flag " << f;
      }
    }
    const bool verified =
        Ed25519Verify(ConstSpan<kEd25519PublicKeySize>(key.data(), key.size()), AsBytes(msg), sig);
    EXPECT_EQ(verified, ExpectedByLibsodium1018(v["flags"]))
        << "vector " << v["number"] << " flags " << v["flags"].dump();
    if (verified) {
      ++accepted;
      if (!v["flags"].is_null()) {
        for (const auto& f : v["flags"]) ++accepted_with_flag[f.get<std::string>()];
      }
    }
  }
  EXPECT_EQ(run, 914u);
  EXPECT_EQ(accepted, 43u);
  EXPECT_EQ(run - accepted, 871u);
  // Flags that never appear on an accepted vector: always rejected.
  for (const char* rejected : {"low_order_A", "low_order_R", "non_canonical_A", "non_canonical_R",
                               "low_order_residue", "reencoded_k"}) {
    EXPECT_EQ(accepted_with_flag[rejected], 0u) << rejected;
  }
}

}  // namespace
}  // namespace attune::crypto
