// Enrollment code codec (enrollment.h; docs/PROTOCOL.md (part mailbox) §9).
#include "attune/mailbox/enrollment.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "attune/crypto/hash.h"
#include "attune/crypto/util.h"

namespace attune::mailbox {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// version, host_len, port, key, credential, checksum: everything but the host.
constexpr size_t kFixedSize =
    1 + 1 + 2 + crypto::kX25519KeySize + kTokenSize + kEnrollmentChecksumSize;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

bool ValidHost(std::string_view host) {
  if (host.empty() || host.size() > kMaxEnrollmentHostSize) return false;
  for (char c : host) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::array<uint8_t, kEnrollmentChecksumSize> Checksum(ByteView body) {
  crypto::Blake2bHasher hasher(32);
  hasher.Update(AsBytes(kEnrollmentChecksumLabel)).Update(body);
  ByteArray<32> digest{};
  hasher.Final(digest);
  std::array<uint8_t, kEnrollmentChecksumSize> out{};
  std::memcpy(out.data(), digest.data(), out.size());
  return out;
}

Error Mistyped() {
  return MakeError(ErrorCode::kInvalidArgument,
                   "the enrollment code is damaged or mistyped; copy it again from the clinic");
}

}  // namespace

Result<std::pair<std::string, uint16_t>> ParseRelayAddress(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return MakeError(ErrorCode::kInvalidArgument, "relay address must be HOST:PORT");
  }
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 ||
      port > 65535 || host.empty() || host.size() > kMaxEnrollmentHostSize) {
    return MakeError(ErrorCode::kInvalidArgument, "relay address must be HOST:PORT");
  }
  return std::make_pair(std::string(host), static_cast<uint16_t>(port));
}

Result<crypto::SecretBytes> EncodeEnrollment(const Enrollment& enrollment) {
  if (!ValidHost(enrollment.host)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the relay address must be a host name or IP address (at most 253 "
                     "characters of A-Z, a-z, 0-9, '.', '-', ':')");
  }
  if (enrollment.port == 0) return MakeError(ErrorCode::kInvalidArgument, "the port must not be 0");
  const size_t size = kFixedSize + enrollment.host.size();
  crypto::SecretBytes record(size);
  uint8_t* p = record.data();
  *p++ = kEnrollmentVersion;
  *p++ = static_cast<uint8_t>(enrollment.host.size());
  p = std::copy(enrollment.host.begin(), enrollment.host.end(), p);
  *p++ = static_cast<uint8_t>(enrollment.port >> 8);
  *p++ = static_cast<uint8_t>(enrollment.port & 0xff);
  std::memcpy(p, enrollment.relay_public_key.data(), crypto::kX25519KeySize);
  p += crypto::kX25519KeySize;
  std::memcpy(p, enrollment.credential.data(), kTokenSize);
  p += kTokenSize;
  const auto sum = Checksum(ByteView(record.data(), size - kEnrollmentChecksumSize));
  std::memcpy(p, sum.data(), sum.size());

  const size_t chars = (size * 8 + 5) / 6;
  crypto::SecretBytes text(kEnrollmentPrefix.size() + chars);
  std::memcpy(text.data(), kEnrollmentPrefix.data(), kEnrollmentPrefix.size());
  uint8_t* out = text.data() + kEnrollmentPrefix.size();
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < size; ++i) {
    acc = (acc << 8) | record.data()[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      *out++ = static_cast<uint8_t>(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) *out = static_cast<uint8_t>(kAlphabet[(acc << (6 - bits)) & 63]);
  return text;
}

Result<Enrollment> ParseEnrollment(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  if (text.size() > kMaxEnrollmentTextSize) {
    return MakeError(ErrorCode::kInvalidArgument, "the enrollment code is too long");
  }
  if (text.substr(0, kEnrollmentPrefix.size()) != kEnrollmentPrefix) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "this is not an Attune enrollment code (it starts with \"attune-enroll1:\")");
  }
  text.remove_prefix(kEnrollmentPrefix.size());

  // Base64url without padding, whitespace skipped; decoded into wiped memory.
  crypto::SecretBytes decoded(text.size());
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  size_t digits = 0;
  for (char c : text) {
    if (IsSpace(c)) continue;
    const int v = DecodeChar(c);
    if (v < 0) return Mistyped();
    ++digits;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      decoded.data()[n++] = static_cast<uint8_t>((acc >> bits) & 0xff);
    }
  }
  // A length of 1 (mod 4) digits, or non-zero leftover bits, is not base64.
  const bool clean_tail = (acc & ((1u << bits) - 1)) == 0;
  if (digits % 4 == 1 || !clean_tail) return Mistyped();
  if (n < kFixedSize + 1) return Mistyped();

  const ByteView record(decoded.data(), n);
  const auto sum = Checksum(record.first(n - kEnrollmentChecksumSize));
  if (!crypto::ConstantTimeEqual(ByteView(sum.data(), sum.size()),
                                 record.last(kEnrollmentChecksumSize))) {
    return Mistyped();
  }
  if (record[0] != kEnrollmentVersion) {
    return MakeError(ErrorCode::kUnsupportedVersion,
                     "this enrollment code is from a newer Attune; update the app");
  }
  const size_t host_len = record[1];
  if (n != kFixedSize + host_len) {
    return MakeError(ErrorCode::kInvalidArgument, "the enrollment code has the wrong layout");
  }
  Enrollment out;
  size_t off = 2;
  out.host.assign(reinterpret_cast<const char*>(record.data() + off), host_len);
  off += host_len;
  if (!ValidHost(out.host)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the enrollment code names an invalid relay address");
  }
  out.port = static_cast<uint16_t>((record[off] << 8) | record[off + 1]);
  off += 2;
  if (out.port == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "the enrollment code names port 0");
  }
  std::memcpy(out.relay_public_key.data(), record.data() + off, crypto::kX25519KeySize);
  off += crypto::kX25519KeySize;
  if (!crypto::X25519IsValidPublicKey(out.relay_public_key)) {
    return MakeError(ErrorCode::kCryptoFailed,
                     "the enrollment code's relay key is not a valid public key");
  }
  std::memcpy(out.credential.data(), record.data() + off, kTokenSize);
  return out;
}

}  // namespace attune::mailbox
