// Handshake::ReadMessage and TransportSession::Decrypt on arbitrary bytes.
//
// Input: byte 0 selects the victim, the rest is the message it reads.
//   0: the relay reading message 1;
//   1: a client (that sent its message 1) reading message 2;
//   2: the relay's session decrypting the client's first transport message.
// Keys and ephemerals are those of tests/vectors/noise_attune.json, so the
// seeds (that vector's messages) are the only inputs that may succeed. Any
// other input must fail and leave the object dead; nothing may crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/crypto/util.h"
#include "attune/crypto/x25519.h"
#include "attune/noise/handshake.h"

namespace {

using attune::Bytes;
using attune::ByteView;
namespace crypto = attune::crypto;
namespace noise = attune::noise;

void Check(bool condition) {
  if (!condition) std::abort();
}

Bytes Hex(std::string_view hex) {
  auto b = attune::FromHex(hex);
  Check(b.has_value());
  return *b;
}

crypto::ConstSpan<32> Span32(const Bytes& b) { return crypto::ConstSpan<32>(b.data(), 32); }

struct Fixture {
  Bytes relay_private = Hex("170a43859cd551756ab4019dba5471fb5c131c01e1970a96808df63aad956559");
  Bytes init_e = Hex("27e5690b9fcec3e06b7ca8c8ab84b41d769e5bd9205cb4020aabc7f229a00a85");
  Bytes resp_e = Hex("3cd7f6a4e60b6e9ab5fc953717e2e2c8666e1e6fd107edc443b2ff5229eb526a");
  crypto::X25519KeyPair relay = crypto::X25519KeyPairFromPrivate(Span32(relay_private));
  Bytes message1{};
  Bytes message2{};
  Bytes transport0{};

  noise::Handshake Initiator() const {
    return noise::Handshake::InitiatorWithEphemeral(
        relay.public_key, attune::AsBytes(noise::kRelayPrologue), Span32(init_e));
  }
  noise::Handshake Responder() const {
    return noise::Handshake::ResponderWithEphemeral(relay, attune::AsBytes(noise::kRelayPrologue),
                                                    Span32(resp_e));
  }
};

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    Check(crypto::Init().ok());
    auto* f = new Fixture();
    auto initiator = f->Initiator();
    auto responder = f->Responder();
    f->message1 = *initiator.WriteMessage({});
    Check(responder.ReadMessage(f->message1).ok());
    f->message2 = *responder.WriteMessage({});
    Check(initiator.ReadMessage(f->message2).ok());
    auto session = initiator.Finish();
    Check(session.ok());
    f->transport0 = *session->Encrypt(attune::AsBytes("client frame 1"));
    return f;
  }();
  return *fixture;
}

void CheckDeadHandshake(noise::Handshake& hs) {
  Check(hs.IsDead());
  Check(!hs.WriteMessage({}).ok());
  Check(!hs.Finish().ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Fixture& f = GetFixture();
  const ByteView message(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto responder = f.Responder();
      auto payload = responder.ReadMessage(message);
      if (payload.ok()) {
        Check(Bytes(message.begin(), message.end()) == f.message1);
        Check(payload->empty());
        Check(responder.WriteMessage({}).ok());
        Check(responder.Finish().ok());
      } else {
        CheckDeadHandshake(responder);
      }
      break;
    }
    case 1: {
      auto initiator = f.Initiator();
      Check(initiator.WriteMessage({}).ok());
      auto payload = initiator.ReadMessage(message);
      if (payload.ok()) {
        Check(Bytes(message.begin(), message.end()) == f.message2);
        Check(initiator.Finish().ok());
      } else {
        CheckDeadHandshake(initiator);
      }
      break;
    }
    default: {
      auto initiator = f.Initiator();
      auto responder = f.Responder();
      Check(responder.ReadMessage(*initiator.WriteMessage({})).ok());
      Check(initiator.ReadMessage(*responder.WriteMessage({})).ok());
      auto session = responder.Finish();
      Check(session.ok());
      auto plaintext = session->Decrypt(message);
      if (plaintext.ok()) {
        Check(Bytes(message.begin(), message.end()) == f.transport0);
        Check(*plaintext == Bytes(attune::AsBytes("client frame 1").begin(),
                                  attune::AsBytes("client frame 1").end()));
      } else {
        Check(!session->IsUsable());
        Check(!session->Encrypt({}).ok());
      }
      break;
    }
  }
  return 0;
}
