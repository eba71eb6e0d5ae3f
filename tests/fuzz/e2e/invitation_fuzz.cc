// ParseInvitationBinary / ParseInvitationText on hostile bytes (an invitation
// arrives as pasted text, a scanned QR code or a file). The input is raw
// binary, raw text, or a mutation of one valid invitation in either form.
// Properties: no mutation of the valid invitation parses except the
// invitation itself (the signature covers every byte), and whatever parses
// re-encodes to the same bytes and text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/e2e/invitation_codec.h"

namespace {

using attune::Bytes;
namespace crypto = attune::crypto;
namespace e2e = attune::e2e;

constexpr uint64_t kNow = 1'800'000'000;

void Check(bool condition) {
  if (!condition) std::abort();
}

struct Fixture {
  Bytes binary{};
  std::string text{};
};

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    Check(crypto::Init().ok());
    crypto::DeterministicRandom rng("invitation fuzz");
    const e2e::Identity inviter = e2e::Identity::Generate(rng);
    auto minted = e2e::MintInvitation(inviter, attune::AsBytes("relay:7443/mailbox"), kNow,
                                      24 * 60 * 60, rng);
    Check(minted.ok());
    return new Fixture{minted->invitation.encoded(), e2e::EncodeInvitationText(minted->invitation)};
  }();
  return *fixture;
}

// A mutation of the fixture parses only as the fixture itself.
void CheckParsed(const attune::Result<e2e::ValidatedInvitation>& parsed, const Fixture& f) {
  if (!parsed.ok()) return;
  Check(parsed->encoded() == f.binary);
  Check(e2e::EncodeInvitationText(*parsed) == f.text);
}

// Raw input (possibly another genuine invitation, e.g. a seed) round-trips.
void CheckRoundTrip(const attune::Result<e2e::ValidatedInvitation>& parsed) {
  if (!parsed.ok()) return;
  auto again = e2e::ParseInvitationText(e2e::EncodeInvitationText(*parsed), kNow);
  Check(again.ok() && again->encoded() == parsed->encoded());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = GetFixture();
  if (size < 3) return 0;
  const uint8_t mode = data[0] % 4;
  if (mode == 0) {  // raw bytes, as binary and as text
    const attune::ByteView rest(data + 1, size - 1);
    auto binary = e2e::ParseInvitationBinary(rest, kNow);
    CheckRoundTrip(binary);
    if (binary.ok()) Check(binary->encoded() == Bytes(rest.begin(), rest.end()));
    CheckRoundTrip(e2e::ParseInvitationText(attune::AsStringView(rest), kNow));
  } else if (mode == 1) {  // XOR into the valid binary at an offset
    Bytes b = f.binary;
    const size_t offset = (size_t{data[1]} * 257 + data[2]) % b.size();
    for (size_t i = 3; i < size && offset + i - 3 < b.size(); ++i) b[offset + i - 3] ^= data[i];
    CheckParsed(e2e::ParseInvitationBinary(b, kNow), f);
  } else if (mode == 2) {  // truncate or extend the valid binary
    Bytes b = f.binary;
    b.resize((size_t{data[1]} << 8 | data[2]) % (b.size() + 64), size > 3 ? data[3] : 0);
    CheckParsed(e2e::ParseInvitationBinary(b, kNow), f);
  } else {  // overwrite characters of the valid text
    std::string t = f.text;
    const size_t offset = (size_t{data[1]} * 257 + data[2]) % t.size();
    for (size_t i = 3; i < size && offset + i - 3 < t.size(); ++i) {
      t[offset + i - 3] = static_cast<char>(data[i]);
    }
    CheckParsed(e2e::ParseInvitationText(t, kNow), f);
  }
  return 0;
}
