// Published Noise vectors (cacophony and snow, see
// ../shared/vectors/noise/README.md) for exactly our protocol name, and our
// own vector for Attune's prologue and payloads. Both
// roles are driven from the vector's fixed keys; every handshake and
// transport ciphertext must match byte for byte.
#include <gtest/gtest.h>

#include <string>

#include "attune/crypto/util.h"
#include "attune/crypto/x25519.h"
#include "attune/noise/handshake.h"
#include "attune/testing/vectors.h"

namespace attune::noise {
namespace {

using attune::testing::HexToBytes;

crypto::ConstSpan<32> Key32(const Bytes& b) {
  EXPECT_EQ(b.size(), 32u);
  return crypto::ConstSpan<32>(b.data(), 32);
}

bool HasPsks(const nlohmann::json& v) {
  for (const char* key : {"init_psks", "resp_psks"}) {
    if (v.contains(key) && !v[key].empty()) return true;
  }
  return false;
}

// Runs one vector; returns normally with gtest failures recorded.
void RunVector(const nlohmann::json& v, const std::string& where) {
  SCOPED_TRACE(where);
  ASSERT_FALSE(v.value("fail", false)) << "no failing NK vectors are expected";
  const Bytes init_prologue = HexToBytes(v["init_prologue"]);
  const Bytes resp_prologue = HexToBytes(v["resp_prologue"]);
  const Bytes init_ephemeral = HexToBytes(v["init_ephemeral"]);
  const Bytes resp_ephemeral = HexToBytes(v["resp_ephemeral"]);
  const Bytes resp_static = HexToBytes(v["resp_static"]);
  const Bytes remote_static = HexToBytes(v["init_remote_static"]);

  crypto::X25519PublicKey rs;
  std::copy(remote_static.begin(), remote_static.end(), rs.begin());
  auto initiator = Handshake::InitiatorWithEphemeral(rs, init_prologue, Key32(init_ephemeral));
  const auto responder_static = crypto::X25519KeyPairFromPrivate(Key32(resp_static));
  auto responder =
      Handshake::ResponderWithEphemeral(responder_static, resp_prologue, Key32(resp_ephemeral));

  const auto& messages = v["messages"];
  ASSERT_GE(messages.size(), 2u);
  // Handshake: message 0 from the initiator, message 1 from the responder.
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE("handshake message " + std::to_string(i));
    const Bytes payload = HexToBytes(messages[i]["payload"]);
    const Bytes ciphertext = HexToBytes(messages[i]["ciphertext"]);
    Handshake& sender = i == 0 ? initiator : responder;
    Handshake& receiver = i == 0 ? responder : initiator;
    auto written = sender.WriteMessage(payload);
    ASSERT_TRUE(written.ok()) << written.error().ToString();
    EXPECT_EQ(ToHex(*written), ToHex(ciphertext));
    auto read = receiver.ReadMessage(ciphertext);
    ASSERT_TRUE(read.ok()) << read.error().ToString();
    EXPECT_EQ(ToHex(*read), ToHex(payload));
  }
  ASSERT_TRUE(initiator.IsComplete());
  ASSERT_TRUE(responder.IsComplete());
  auto init_session = initiator.Finish();
  auto resp_session = responder.Finish();
  ASSERT_TRUE(init_session.ok());
  ASSERT_TRUE(resp_session.ok());
  EXPECT_EQ(init_session->handshake_hash(), resp_session->handshake_hash());
  if (v.contains("handshake_hash")) {
    EXPECT_EQ(ToHex(init_session->handshake_hash()), v["handshake_hash"].get<std::string>());
  }

  // Transport: even indices are sent by the initiator, odd by the responder.
  for (size_t i = 2; i < messages.size(); ++i) {
    SCOPED_TRACE("transport message " + std::to_string(i));
    const Bytes payload = HexToBytes(messages[i]["payload"]);
    const Bytes ciphertext = HexToBytes(messages[i]["ciphertext"]);
    TransportSession& sender = i % 2 == 0 ? *init_session : *resp_session;
    TransportSession& receiver = i % 2 == 0 ? *resp_session : *init_session;
    auto sealed = sender.Encrypt(payload);
    ASSERT_TRUE(sealed.ok()) << sealed.error().ToString();
    EXPECT_EQ(ToHex(*sealed), ToHex(ciphertext));
    auto opened = receiver.Decrypt(ciphertext);
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    EXPECT_EQ(ToHex(*opened), ToHex(payload));
  }
}

TEST(NoiseVectors, AllNkBlake2bChaChaPolyVectorsPass) {
  ASSERT_TRUE(crypto::Init().ok());
  ATTUNE_REQUIRE_SHARED_VECTORS(dir);
  const std::string psk_prefix = "Noise_NKpsk";
  const std::string suffix = "_25519_ChaChaPoly_BLAKE2b";

  int run = 0;
  int with_handshake_hash = 0;
  int psk_skipped = 0;
  for (const char* file :
       {"cacophony.json", "snow.json", "subset_XX_IK_NK_25519_ChaChaPoly_BLAKE2b.json"}) {
    auto json = attune::testing::LoadJson(dir / "noise" / file);
    ASSERT_TRUE(json.has_value());
    size_t index = 0;
    for (const auto& v : (*json)["vectors"]) {
      const std::string name = v.value("protocol_name", "");
      const std::string where = std::string(file) + " #" + std::to_string(index++);
      if (name.rfind(psk_prefix, 0) == 0 && name.size() > suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        ++psk_skipped;  // NKpsk0/NKpsk2: different protocol, not implemented
        continue;
      }
      if (name != kProtocolName) continue;
      ASSERT_FALSE(HasPsks(v)) << where;
      RunVector(v, where);
      ++run;
      if (v.contains("handshake_hash")) ++with_handshake_hash;
    }
  }
  // cacophony.json and snow.json hold one NK vector each; the subset file
  // repeats both. cacophony has NKpsk0 and NKpsk2, which we do not speak.
  EXPECT_EQ(run, 4);
  EXPECT_EQ(with_handshake_hash, 2);
  EXPECT_EQ(psk_skipped, 2);
}

// Our own vector for exactly Attune's usage, generated by an independent
// Python implementation (tests/noise/make_attune_vector.py) that also
// reproduces the public NK vectors above.
TEST(NoiseVectors, AttuneRelayUsageVectorPasses) {
  ASSERT_TRUE(crypto::Init().ok());
  auto json = attune::testing::LoadJson(attune::testing::SourceDir() / "tests" / "vectors" /
                                        "noise_attune.json");
  ASSERT_TRUE(json.has_value());
  const auto& vectors = (*json)["vectors"];
  ASSERT_EQ(vectors.size(), 1u);
  const auto& v = vectors[0];
  EXPECT_EQ(v["protocol_name"].get<std::string>(), kProtocolName);
  EXPECT_EQ(HexToBytes(v["init_prologue"]), Bytes(kRelayPrologue.begin(), kRelayPrologue.end()));
  // Attune's handshake payloads are empty: both messages are 48 bytes.
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(HexToBytes(v["messages"][i]["ciphertext"]).size(), kHandshakeOverhead);
  }
  RunVector(v, "noise_attune.json");
}

}  // namespace
}  // namespace attune::noise
