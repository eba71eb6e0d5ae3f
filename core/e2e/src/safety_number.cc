#include "attune/e2e/safety_number.h"

#include <cstring>
#include <tuple>

#include "attune/crypto/hash.h"
#include "attune/crypto/util.h"

namespace attune::e2e {
namespace {

struct Side {
  ByteArray<64> hash{};
  std::string digits{};  // 30
};

Side ComputeSide(const PublicIdentity& identity) {
  const ByteView keys = identity.key_bytes().first(64);  // Ed25519 || X25519
  Bytes input;
  input.reserve(2 + kIdentityKeyBytesSize);
  AppendU16BE(input, kSafetyNumberVersion);
  Append(input, identity.key_bytes());  // keys || device id (the stable id)
  Side side;
  side.hash = crypto::Sha512(input);
  Bytes round(64 + keys.size());
  std::memcpy(round.data() + 64, keys.data(), keys.size());
  for (uint32_t i = 0; i < kSafetyNumberIterations; ++i) {
    std::memcpy(round.data(), side.hash.data(), 64);
    side.hash = crypto::Sha512(round);
  }
  side.digits.reserve(30);
  for (size_t chunk = 0; chunk < 6; ++chunk) {
    uint64_t v = 0;
    for (size_t j = 0; j < 5; ++j) v = (v << 8) | side.hash[chunk * 5 + j];
    v %= 100000;
    char buf[6];
    for (int d = 4; d >= 0; --d) {
      buf[d] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    side.digits.append(buf, 5);
  }
  return side;
}

}  // namespace

SafetyNumber SafetyNumber::Compute(const PublicIdentity& a, const PublicIdentity& b) {
  Side first = ComputeSide(a);
  Side second = ComputeSide(b);
  // Order by digits (what people see), ties broken by the hash, so both sides
  // agree on one order.
  if (std::tie(second.digits, second.hash) < std::tie(first.digits, first.hash)) {
    std::swap(first, second);
  }
  SafetyNumber out;
  out.digits_ = first.digits + second.digits;
  out.qr_[0] = kSafetyNumberQrVersion;
  std::memcpy(out.qr_.data() + 1, first.hash.data(), 32);
  std::memcpy(out.qr_.data() + 33, second.hash.data(), 32);
  return out;
}

std::string SafetyNumber::Display() const {
  std::string out;
  out.reserve(kSafetyNumberDigits + kSafetyNumberGroups - 1);
  for (size_t i = 0; i < kSafetyNumberGroups; ++i) {
    if (i != 0) out.push_back(' ');
    out.append(digits_, i * kSafetyNumberGroupSize, kSafetyNumberGroupSize);
  }
  return out;
}

Status CompareSafetyNumberQr(const SafetyNumber& ours, ByteView scanned) {
  if (scanned.size() != kSafetyNumberQrSize) {
    return MakeError(ErrorCode::kInvalidArgument, "safety number code has the wrong size");
  }
  if (scanned[0] != kSafetyNumberQrVersion) {
    return MakeError(ErrorCode::kUnsupportedVersion, "safety number code has an unknown version");
  }
  if (!crypto::ConstantTimeEqual(ours.qr_payload(), scanned)) {
    return MakeError(ErrorCode::kAuthFailed, "safety numbers differ");
  }
  return Status::Ok();
}

}  // namespace attune::e2e
