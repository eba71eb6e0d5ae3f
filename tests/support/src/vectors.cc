#include "attune/testing/vectors.h"

#include <gtest/gtest.h>

#include <fstream>

namespace attune::testing {

std::optional<std::filesystem::path> SharedVectorsDir() {
  std::filesystem::path dir(ATTUNE_SHARED_VECTORS_DIR);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  return dir;
}

std::filesystem::path SourceDir() { return std::filesystem::path(ATTUNE_SOURCE_DIR); }

std::optional<nlohmann::json> LoadJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    ADD_FAILURE() << "cannot parse JSON in " << path;
    return std::nullopt;
  }
  return j;
}

Bytes HexToBytes(const std::string& hex) {
  auto b = FromHex(hex);
  if (!b) {
    ADD_FAILURE() << "bad hex in test vector: " << hex;
    return {};
  }
  return *b;
}

}  // namespace attune::testing
