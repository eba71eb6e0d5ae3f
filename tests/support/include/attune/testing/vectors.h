// Locating and loading test vectors.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "attune/base/bytes.h"

namespace attune::testing {

// ../shared/vectors, or nullopt when it is not there (tests then GTEST_SKIP).
std::optional<std::filesystem::path> SharedVectorsDir();

// The repository root (for tests/vectors/*.json that we generate ourselves).
std::filesystem::path SourceDir();

// Parses a JSON file; fails the calling test (ADD_FAILURE) and returns
// nullopt when it cannot be read or parsed.
std::optional<nlohmann::json> LoadJson(const std::filesystem::path& path);

// Hex string to bytes; fails the calling test on bad hex.
Bytes HexToBytes(const std::string& hex);

}  // namespace attune::testing

// Skips the current test with a clear message when ../shared/vectors is
// missing. Use at the top of any test that needs the shared vectors.
#define ATTUNE_REQUIRE_SHARED_VECTORS(dir_var)                                           \
  auto dir_var##_opt = ::attune::testing::SharedVectorsDir();                            \
  if (!dir_var##_opt) {                                                                  \
    GTEST_SKIP() << "shared test vectors not found (expected ../shared/vectors next to " \
                    "the repository); this test did not run";                            \
  }                                                                                      \
  const std::filesystem::path dir_var = *dir_var##_opt
