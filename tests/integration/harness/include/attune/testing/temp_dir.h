// Scratch directories and small file helpers for integration tests.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "attune/base/bytes.h"

namespace attune::testing {

// A fresh directory (mode 0700) under $TMPDIR or /tmp, removed with all its
// contents on destruction unless ATTUNE_KEEP_TEST_DIRS is set in the
// environment (for post-mortems). Aborts the test binary if it cannot be
// created: nothing useful can run without it.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "attune-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_{};
};

// Whole-file helpers; nullopt / false on any I/O error.
std::optional<Bytes> ReadFileBytes(const std::filesystem::path& path);
std::optional<std::string> ReadFileText(const std::filesystem::path& path);
bool WriteFileText(const std::filesystem::path& path, const std::string& text);

// Every regular file under `root` (recursively) whose bytes contain `needle`.
std::vector<std::filesystem::path> FilesContaining(const std::filesystem::path& root,
                                                   ByteView needle);
// True when `haystack` contains `needle` (empty needle: false).
bool Contains(ByteView haystack, ByteView needle);

}  // namespace attune::testing
