// Session::Deserialize on arbitrary bytes (a corrupted or hostile store). The
// input is raw or an XOR mutation of a valid state with skipped keys and
// several chains. Property: anything accepted re-serialises to exactly the
// input bytes (one encoding per state), and nothing crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/e2e/session.h"

namespace {

using attune::Bytes;
namespace crypto = attune::crypto;
namespace e2e = attune::e2e;

void Check(bool condition) {
  if (!condition) std::abort();
}

const Bytes& ValidState() {
  static const Bytes* state = [] {
    Check(crypto::Init().ok());
    crypto::DeterministicRandom rng("session state fuzz");
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
    auto send = [&](e2e::Session& from, e2e::Session& to, bool deliver) {
      auto wire = from.Encrypt(attune::AsBytes(std::string("m")), rng);
      Check(wire.ok());
      if (deliver) Check(to.Decrypt(*wire, 1'800'000'000).ok());
    };
    send(alice, bob, false);
    send(alice, bob, true);
    send(bob, alice, true);
    send(alice, bob, false);
    send(alice, bob, true);
    return new Bytes(bob.Serialize());
  }();
  return *state;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes& valid = ValidState();
  Bytes input;
  if (size > 0 && data[0] % 2 == 1) {
    input = valid;
    const size_t offset = size > 1 ? (size_t{data[1]} * 7) % input.size() : 0;
    for (size_t i = 2; i < size && offset + i - 2 < input.size(); ++i) {
      input[offset + i - 2] ^= data[i];
    }
  } else {
    input.assign(data, data + size);
  }
  auto session = e2e::Session::Deserialize(input);
  if (session.ok()) Check(session->Serialize() == input);
  return 0;
}
