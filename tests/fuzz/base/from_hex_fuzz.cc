// FromHex (attune/base/bytes.h) on arbitrary text: it never crashes, accepts
// exactly even-length strings of hex digits, and round-trips through ToHex.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "attune/base/bytes.h"

namespace {

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

char Lower(char c) { return (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c; }

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  bool well_formed = size % 2 == 0;
  for (char c : text) well_formed = well_formed && IsHexDigit(c);

  const auto decoded = attune::FromHex(text);
  Check(decoded.has_value() == well_formed);
  if (decoded) {
    Check(decoded->size() == size / 2);
    const std::string hex = attune::ToHex(*decoded);
    Check(hex.size() == size);
    for (size_t i = 0; i < size; ++i) Check(hex[i] == Lower(text[i]));
  }

  // The input as raw bytes must survive ToHex -> FromHex unchanged.
  const auto round_trip = attune::FromHex(attune::ToHex(attune::ByteView(data, size)));
  Check(round_trip.has_value());
  Check(*round_trip == attune::Bytes(data, data + size));
  return 0;
}
