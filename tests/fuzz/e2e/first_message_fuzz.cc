// ProcessFirstMessage on hostile bytes (first messages arrive from the relay,
// from anyone holding the invitation). The input is raw or a mutation of one
// valid first message. Properties: only the genuine message is accepted, and
// then to its own plaintext and introduction; with the consumed secrets, a
// message is a duplicate exactly when it parses and carries the genuine X3DH
// prefix (version 2: every message before the reply repeats it), and
// everything else is refused.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <string>

#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/e2e/first_message.h"
#include "attune/e2e/x3dh.h"

namespace {

using attune::Bytes;
using attune::ErrorCode;
namespace crypto = attune::crypto;
namespace e2e = attune::e2e;

constexpr uint64_t kNow = 1'800'000'000;
constexpr std::string_view kIntroduction = "an introduction of at least sixteen bytes";

void Check(bool condition) {
  if (!condition) std::abort();
}

struct Fixture {
  e2e::Identity therapist;
  e2e::InvitationSecrets open;
  e2e::InvitationSecrets consumed;
  Bytes message{};
  Bytes prefix{};  // its X3DH prefix
};

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    Check(crypto::Init().ok());
    crypto::DeterministicRandom rng("first message fuzz");
    e2e::Identity therapist = e2e::Identity::Generate(rng);
    const e2e::Identity client = e2e::Identity::Generate(rng);
    auto minted = e2e::MintInvitation(therapist, {}, kNow, 24 * 60 * 60, rng);
    Check(minted.ok());
    auto accepted =
        e2e::AcceptInvitation(client, minted->invitation, attune::AsBytes(kIntroduction),
                             attune::AsBytes("hello"), kNow, rng);
    Check(accepted.ok());
    auto processed =
        e2e::ProcessFirstMessage(therapist, minted->secrets, accepted->first_message, kNow);
    Check(processed.ok());
    auto view = e2e::FirstMessageView::Parse(accepted->first_message);
    Check(view.ok());
    const attune::ByteView prefix = view->x3dh_prefix();
    return new Fixture{std::move(therapist), std::move(minted->secrets),
                       std::move(processed->secrets), accepted->first_message,
                       Bytes(prefix.begin(), prefix.end())};
  }();
  return *fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = GetFixture();
  if (size < 3) return 0;
  Bytes message;
  const uint8_t mode = data[0] % 3;
  if (mode == 0) {
    message.assign(data + 1, data + size);
  } else if (mode == 1) {  // XOR the rest of the input in at an offset
    message = f.message;
    const size_t offset = (size_t{data[1]} * 257 + data[2]) % message.size();
    for (size_t i = 3; i < size && offset + i - 3 < message.size(); ++i) {
      message[offset + i - 3] ^= data[i];
    }
  } else {  // truncate or extend
    message = f.message;
    message.resize((size_t{data[1]} << 8 | data[2]) % (message.size() + 64),
                   size > 3 ? data[3] : 0);
  }
  const bool genuine = message == f.message;

  auto fresh = e2e::ProcessFirstMessage(f.therapist, f.open, message, kNow);
  Check(fresh.ok() == genuine);
  if (fresh.ok()) {
    Check(attune::AsStringView(fresh->plaintext) == "hello");
    Check(attune::AsStringView(fresh->introduction) == kIntroduction);
  }
  auto view = e2e::FirstMessageView::Parse(message);
  const bool same_prefix = view.ok() && std::ranges::equal(view->x3dh_prefix(), f.prefix);

  auto again = e2e::ProcessFirstMessage(f.therapist, f.consumed, message, kNow);
  Check(!again.ok());
  Check((again.error().code == ErrorCode::kDuplicate) == same_prefix);
  return 0;
}
