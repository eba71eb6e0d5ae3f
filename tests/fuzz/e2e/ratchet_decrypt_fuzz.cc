// Session::Decrypt on hostile bytes (the relay or anyone on the network can
// send them). A fixed mid-conversation session (skipped keys in two chains,
// retired header keys) is restored for every input; the input is either a raw
// message or an XOR/truncation mutation of one of the valid messages the
// session knows. Properties:
//   - a failing Decrypt leaves the state byte-for-byte unchanged;
//   - only an unmodified valid message that was not yet read ever decrypts,
//     and then to its own plaintext.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/e2e/session.h"

namespace {

using attune::Bytes;
using attune::ByteView;
namespace crypto = attune::crypto;
namespace e2e = attune::e2e;

constexpr uint64_t kNow = 1'800'000'000;

void Check(bool condition) {
  if (!condition) std::abort();
}

struct Known {
  Bytes wire{};
  std::string plaintext{};
  bool unread = false;  // still decryptable by the saved session
};

struct Fixture {
  Bytes saved_bob{};
  std::vector<Known> messages{};
};

Bytes Encrypt(e2e::Session& s, const std::string& text, crypto::RandomSource& rng) {
  auto r = s.Encrypt(attune::AsBytes(text), rng);
  Check(r.ok());
  return std::move(r).value();
}

void Read(e2e::Session& s, const Bytes& wire) { Check(s.Decrypt(wire, kNow).ok()); }

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    Check(crypto::Init().ok());
    crypto::DeterministicRandom rng("ratchet decrypt fuzz");
    e2e::RatchetInit init;
    init.root_key = rng.Secret<32>();
    init.shared_hka = rng.Secret<32>();
    init.shared_nhkb = rng.Secret<32>();
    init.associated_data = Bytes{'a', '|', 'b'};
    e2e::RatchetInit copy{init.root_key.Clone(), init.shared_hka.Clone(), init.shared_nhkb.Clone(),
                          init.associated_data};
    crypto::X25519KeyPair bob_ratchet = crypto::GenerateX25519KeyPair(rng);
    const crypto::X25519PublicKey bob_public = bob_ratchet.public_key;
    e2e::Session bob = e2e::Session::InitResponder(std::move(copy), std::move(bob_ratchet));
    e2e::Session alice = e2e::Session::InitInitiator(std::move(init), bob_public, rng).value();

    auto* f = new Fixture;
    const Bytes a0 = Encrypt(alice, "a0", rng);
    const Bytes a1 = Encrypt(alice, "a1 skipped", rng);
    const Bytes a2 = Encrypt(alice, "a2", rng);
    Read(bob, a0);
    Read(bob, a2);
    Read(alice, Encrypt(bob, "b0", rng));
    const Bytes a3 = Encrypt(alice, "a3", rng);
    const Bytes a4 = Encrypt(alice, "a4 skipped", rng);
    const Bytes a5 = Encrypt(alice, "a5", rng);
    Read(bob, a3);
    Read(bob, a5);
    const Bytes a6 = Encrypt(alice, "a6 unread", rng);
    f->messages = {{a0, "a0", false},      {a1, "a1 skipped", true}, {a2, "a2", false},
                   {a3, "a3", false},      {a4, "a4 skipped", true}, {a5, "a5", false},
                   {a6, "a6 unread", true}};
    f->saved_bob = bob.Serialize();
    return f;
  }();
  return *fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = GetFixture();
  if (size < 3) return 0;
  Bytes message;
  const uint8_t mode = data[0] % 3;
  const Known& base = f.messages[data[1] % f.messages.size()];
  if (mode == 0) {
    message.assign(data + 1, data + size);
  } else if (mode == 1) {  // XOR the rest of the input in at an offset
    message = base.wire;
    const size_t offset = (size_t{data[2]} * 131) % message.size();
    for (size_t i = 3; i < size && offset + i - 3 < message.size(); ++i) {
      message[offset + i - 3] ^= data[i];
    }
  } else {  // truncate or extend
    message = base.wire;
    const size_t len = (size_t{data[2]} << 8 | (size > 3 ? data[3] : 0)) % (message.size() + 64);
    message.resize(len, size > 4 ? data[4] : 0);
  }

  auto bob = e2e::Session::Deserialize(f.saved_bob);
  Check(bob.ok());
  auto plain = bob->Decrypt(message, kNow);
  if (!plain.ok()) {
    Check(bob->Serialize() == f.saved_bob);
    return 0;
  }
  bool matched = false;
  for (const Known& k : f.messages) {
    if (k.wire == message) {
      Check(k.unread);
      Check(attune::AsStringView(*plain) == k.plaintext);
      matched = true;
    }
  }
  Check(matched);
  return 0;
}
