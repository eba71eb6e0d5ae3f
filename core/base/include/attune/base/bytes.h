// Byte containers and views used across Attune. Public (non-secret) bytes
// only: secrets live in attune/crypto/secret.h types.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace attune {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
using MutableByteView = std::span<uint8_t>;

template <size_t N>
using ByteArray = std::array<uint8_t, N>;

inline ByteView AsBytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsStringView(ByteView b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

// Lower-case hex, no separators.
std::string ToHex(ByteView bytes);
// Accepts upper or lower case; nullopt on odd length or a non-hex digit.
std::optional<Bytes> FromHex(std::string_view hex);

// Appends helpers for building exact byte strings (KDF inputs, AD).
inline void Append(Bytes& out, ByteView in) { out.insert(out.end(), in.begin(), in.end()); }
inline void Append(Bytes& out, std::string_view in) { Append(out, AsBytes(in)); }
void AppendU16BE(Bytes& out, uint16_t v);
void AppendU32BE(Bytes& out, uint32_t v);
void AppendU64BE(Bytes& out, uint64_t v);
uint16_t ReadU16BE(const uint8_t* p);
uint32_t ReadU32BE(const uint8_t* p);
uint64_t ReadU64BE(const uint8_t* p);

}  // namespace attune
