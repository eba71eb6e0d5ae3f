// Shared plumbing for the Wycheproof/CCTV vector tests in this directory.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "attune/base/bytes.h"
#include "attune/testing/vectors.h"

namespace attune::crypto::testing {

// Loads <shared>/wycheproof/<name> and checks it is the file we expect:
// its declared numberOfTests must equal the tests actually present and
// `expected_tests`, so a truncated or swapped file fails loudly instead of
// letting a vector test pass on nothing.
inline std::optional<nlohmann::json> LoadWycheproof(const std::filesystem::path& shared,
                                                    const std::string& name,
                                                    size_t expected_tests) {
  auto json = ::attune::testing::LoadJson(shared / "wycheproof" / name);
  if (!json) return std::nullopt;
  size_t present = 0;
  for (const auto& group : (*json)["testGroups"]) present += group["tests"].size();
  EXPECT_EQ((*json)["numberOfTests"].get<size_t>(), present) << name;
  EXPECT_EQ(present, expected_tests) << name << " is not the expected snapshot";
  return json;
}

// A hex field of a vector as bytes.
inline Bytes HexField(const nlohmann::json& test, const char* field) {
  return ::attune::testing::HexToBytes(test.at(field).get<std::string>());
}

inline bool HasFlag(const nlohmann::json& test, const std::string& flag) {
  if (!test.contains("flags") || test["flags"].is_null()) return false;
  for (const auto& f : test["flags"]) {
    if (f.get<std::string>() == flag) return true;
  }
  return false;
}

// "tcId 17 (comment)" for failure messages.
inline std::string Describe(const nlohmann::json& test) {
  return "tcId " + std::to_string(test.at("tcId").get<int>()) + " (" +
         test.value("comment", std::string()) + ")";
}

}  // namespace attune::crypto::testing
