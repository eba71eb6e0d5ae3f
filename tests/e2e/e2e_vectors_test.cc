// tests/vectors/e2e_*.json: regenerated from the seeds and compared byte for
// byte; then checked independently of Session and of the generator: every
// key is recomputed from the documented constructions (docs/PROTOCOL.md (part x3dh),
// docs/PROTOCOL.md (part ratchet)) with the raw primitives, and every ciphertext is
// opened with the keys the file prints. Labels are spelled out as
// docs/PROTOCOL.md (part x3dh) gives them, not taken from the headers.
#include "e2e_vectors.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "attune/crypto/aead.h"
#include "attune/crypto/ed25519.h"
#include "attune/crypto/hash.h"
#include "attune/crypto/hkdf.h"
#include "attune/crypto/x25519.h"
#include "attune/e2e/identity.h"
#include "attune/e2e/invitation_codec.h"
#include "attune/e2e/ratchet.h"
#include "attune/e2e/safety_number.h"
#include "attune/testing/vectors.h"

namespace attune::e2e {
namespace {

using nlohmann::json;
using attune::testing::HexToBytes;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::filesystem::path VectorPath(const std::string& name) {
  return attune::testing::SourceDir() / "tests" / "vectors" / name;
}

Bytes B(const json& j) { return HexToBytes(j.get<std::string>()); }
template <size_t N>
crypto::ConstSpan<N> S(const Bytes& b) {
  EXPECT_EQ(b.size(), N);
  return crypto::ConstSpan<N>(b.data(), N);
}
Bytes Cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts) Append(out, p);
  return out;
}
template <typename T>
Bytes ToBytes(const T& x) {
  return Bytes(x.data(), x.data() + x.size());
}
Bytes Dh(const json& priv, const json& pub) {
  const Bytes a = B(priv), b = B(pub);
  auto r = crypto::X25519(S<32>(a), S<32>(b));
  EXPECT_TRUE(r.ok());
  return r.ok() ? ToBytes(*r) : Bytes{};
}
Bytes BasePoint(const json& priv) {
  const Bytes a = B(priv);
  return ToBytes(crypto::X25519KeyPairFromPrivate(S<32>(a)).public_key);
}
Bytes U16(uint16_t v) {
  Bytes b;
  AppendU16BE(b, v);
  return b;
}

// RFC 4648 Base32, written again here so the text form is checked against
// something other than the code under test.
std::string Base32(ByteView data) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  for (size_t bit = 0; bit < data.size() * 8; bit += 5) {
    unsigned v = 0;
    for (size_t k = 0; k < 5; ++k) {
      const size_t b = bit + k;
      v = (v << 1) | (b < data.size() * 8 ? (data[b / 8] >> (7 - b % 8)) & 1 : 0);
    }
    out.push_back(kAlphabet[v]);
  }
  return out;
}

TEST(E2eVectorsTest, RegeneratedVectorsEqualTheCommittedFiles) {
  auto files = vectors::GenerateE2eVectors();
  ASSERT_TRUE(files.ok()) << files.error().ToString();
  ASSERT_EQ(files->size(), 3u);
  for (const auto& file : *files) {
    const std::string committed = ReadFile(VectorPath(file.name));
    if (committed == file.contents) continue;
    // Point at the first differing line rather than printing 50 kB twice.
    std::istringstream a(committed), b(file.contents);
    std::string line_a, line_b;
    size_t line = 0;
    while (std::getline(a, line_a) && std::getline(b, line_b) && line_a == line_b) ++line;
    ADD_FAILURE() << file.name << " differs from the generator's output at line " << line + 1
                  << ":\n  committed: " << line_a << "\n  generated: " << line_b
                  << "\nIf the protocol changed on purpose, build the "
                  << "attune_regenerate_e2e_vectors target and review the diff.";
  }
}

void CheckIdentity(const json& id) {
  const Bytes seed = B(id["ed25519_seed"]);
  const crypto::Ed25519KeyPair signing = crypto::Ed25519KeyPairFromSeed(S<32>(seed));
  EXPECT_EQ(ToBytes(signing.public_key), B(id["ed25519_public"]));
  EXPECT_EQ(BasePoint(id["x25519_private"]), B(id["x25519_public"]));
  const Bytes keys = Cat({B(id["ed25519_public"]), B(id["x25519_public"]), B(id["device_id"])});
  const Bytes message = Cat({AsBytes("attune-e2e/v1/identity-binding"), keys});
  EXPECT_EQ(message, B(id["binding_signed_message"]));
  const Bytes record = B(id["record"]);
  ASSERT_EQ(record.size(), 144u);
  EXPECT_EQ(Bytes(record.begin(), record.begin() + 80), keys);
  EXPECT_TRUE(
      crypto::Ed25519Verify(S<32>(B(id["ed25519_public"])), message, ByteView(record).subspan(80)));
  const Bytes stored = Cat({Bytes{1}, seed, B(id["x25519_private"]), B(id["device_id"])});
  EXPECT_EQ(stored, B(id["stored_private_identity"]));
}

TEST(E2eVectorsTest, X3dhVectorsFollowTheDocumentedConstructions) {
  auto file = attune::testing::LoadJson(VectorPath("e2e_x3dh.json"));
  ASSERT_TRUE(file);
  const json& v = *file;
  for (const char* who : {"therapist", "client", "other_client"}) {
    const std::string label = v["seeds"][who]["label"];
    EXPECT_EQ(ToBytes(crypto::Blake2b256(AsBytes(label))), B(v["seeds"][who]["seed"]));
  }
  CheckIdentity(v["therapist"]);
  CheckIdentity(v["client"]);
  const json& t = v["therapist"];
  const json& c = v["client"];
  const json& inv = v["invitation"];
  const json& x = v["x3dh"];

  // Invitation binary layout, signature, checksum and text.
  EXPECT_EQ(BasePoint(inv["draws"]["signed_prekey_private"]), B(inv["signed_prekey_public"]));
  EXPECT_EQ(BasePoint(inv["draws"]["one_time_prekey_private"]), B(inv["one_time_prekey_public"]));
  const uint64_t expiry =
      inv["mint_time"].get<uint64_t>() + inv["lifetime_seconds"].get<uint64_t>();
  EXPECT_EQ(inv["expiry"].get<uint64_t>(), expiry);
  Bytes expiry_be;
  AppendU64BE(expiry_be, expiry);
  const Bytes routing = B(inv["routing_blob"]);
  const Bytes body = Cat({Bytes{1}, B(t["record"]), B(inv["draws"]["invitation_id"]), expiry_be,
                          B(inv["signed_prekey_public"]), B(inv["one_time_prekey_public"]),
                          U16(static_cast<uint16_t>(routing.size())), routing});
  const Bytes signed_message = Cat({AsBytes("attune-e2e/v1/invitation"), body});
  EXPECT_EQ(signed_message, B(inv["signed_message"]));
  EXPECT_TRUE(
      crypto::Ed25519Verify(S<32>(B(t["ed25519_public"])), signed_message, B(inv["signature"])));
  const Bytes binary = Cat({body, B(inv["signature"])});
  EXPECT_EQ(binary, B(inv["binary"]));
  const auto checksum =
      crypto::Blake2b256(Cat({AsBytes("attune-e2e/v1/invitation-checksum"), binary}));
  EXPECT_EQ(Bytes(checksum.begin(), checksum.begin() + 4), B(inv["checksum"]));
  const std::string b32 = Base32(Cat({binary, B(inv["checksum"])}));
  std::string text = "ATTUNE1";
  for (size_t i = 0; i < b32.size(); i += 5) text += "-" + b32.substr(i, 5);
  EXPECT_EQ(text, inv["text"].get<std::string>());
  auto parsed = ParseInvitationText(text, x["accept_time"].get<uint64_t>());
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->encoded(), binary);
  EXPECT_EQ(
      Cat({Bytes{1, 0}, B(inv["draws"]["invitation_id"]), expiry_be,
           B(inv["draws"]["signed_prekey_private"]), B(inv["draws"]["one_time_prekey_private"])}),
      B(inv["stored_secrets_open"]));

  // X3DH from both sides' private keys.
  EXPECT_EQ(BasePoint(x["ephemeral_private"]), B(x["ephemeral_public"]));
  EXPECT_EQ(Dh(c["x25519_private"], inv["signed_prekey_public"]), B(x["dh1"]));
  EXPECT_EQ(Dh(inv["draws"]["signed_prekey_private"], c["x25519_public"]), B(x["dh1"]));
  EXPECT_EQ(Dh(x["ephemeral_private"], t["x25519_public"]), B(x["dh2"]));
  EXPECT_EQ(Dh(t["x25519_private"], x["ephemeral_public"]), B(x["dh2"]));
  EXPECT_EQ(Dh(x["ephemeral_private"], inv["signed_prekey_public"]), B(x["dh3"]));
  EXPECT_EQ(Dh(x["ephemeral_private"], inv["one_time_prekey_public"]), B(x["dh4"]));
  EXPECT_EQ(Dh(inv["draws"]["one_time_prekey_private"], x["ephemeral_public"]), B(x["dh4"]));
  const Bytes ikm = Cat({Bytes(32, 0xff), B(x["dh1"]), B(x["dh2"]), B(x["dh3"]), B(x["dh4"])});
  EXPECT_EQ(ikm, B(x["kdf_ikm"]));
  EXPECT_EQ(Bytes(AsBytes("attune-e2e/v1/x3dh").begin(), AsBytes("attune-e2e/v1/x3dh").end()),
            B(x["kdf_info"]));
  Bytes okm(96);
  ASSERT_TRUE(
      crypto::Hkdf(crypto::HkdfHash::kSha256, Bytes(32, 0), ikm, AsBytes("attune-e2e/v1/x3dh"), okm)
          .ok());
  EXPECT_EQ(okm, Cat({B(x["root_key"]), B(x["shared_hka"]), B(x["shared_nhkb"])}));
  const Bytes client_record = B(c["record"]);
  const Bytes therapist_record = B(t["record"]);
  const Bytes client_keys(client_record.begin(), client_record.begin() + 80);
  const Bytes therapist_keys(therapist_record.begin(), therapist_record.begin() + 80);
  EXPECT_EQ(Cat({AsBytes("attune-e2e/v1/ad"), client_keys, therapist_keys}),
            B(x["associated_data"]));

  // First message (version 2): public header, sealed identity, sealed
  // introduction, ratchet message, hash of the X3DH prefix.
  const Bytes header =
      Cat({Bytes{0x82}, B(inv["draws"]["invitation_id"]), B(x["ephemeral_public"])});
  EXPECT_EQ(header, B(x["first_message_public_header"]));
  const Bytes seal_info = Cat({AsBytes("attune-e2e/v1/first-message-identity"), header});
  EXPECT_EQ(seal_info, B(x["identity_seal_info"]));
  Bytes seal(56);
  ASSERT_TRUE(crypto::Hkdf(crypto::HkdfHash::kSha256, {}, B(x["dh3"]), seal_info, seal).ok());
  EXPECT_EQ(seal, Cat({B(x["identity_seal_key"]), B(x["identity_seal_nonce"])}));
  auto record =
      crypto::XChaChaOpen(S<32>(B(x["identity_seal_key"])), S<24>(B(x["identity_seal_nonce"])),
                          header, B(x["first_message_sealed_identity"]));
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(*record, B(c["record"]));
  // u16-BE length of the sealed introduction, then the introduction sealed
  // under HKDF-SHA-256(salt = empty, IKM = root key,
  // info = "attune-e2e/v2/first-message-introduction" || bytes [0, 211)).
  const Bytes sealed_intro = B(x["first_message_sealed_introduction"]);
  EXPECT_EQ(sealed_intro.size(), B(x["introduction"]).size() + 16);
  const Bytes intro_ad = Cat({header, B(x["first_message_sealed_identity"]),
                              U16(static_cast<uint16_t>(sealed_intro.size()))});
  ASSERT_EQ(intro_ad.size(), 211u);
  EXPECT_EQ(Bytes(intro_ad.begin() + 209, intro_ad.end()),
            B(x["first_message_introduction_length"]));
  const Bytes intro_info = Cat({AsBytes("attune-e2e/v2/first-message-introduction"), intro_ad});
  EXPECT_EQ(intro_info, B(x["introduction_seal_info"]));
  Bytes intro_seal(56);
  ASSERT_TRUE(
      crypto::Hkdf(crypto::HkdfHash::kSha256, {}, B(x["root_key"]), intro_info, intro_seal).ok());
  EXPECT_EQ(intro_seal, Cat({B(x["introduction_seal_key"]), B(x["introduction_seal_nonce"])}));
  auto intro = crypto::XChaChaOpen(S<32>(B(x["introduction_seal_key"])),
                                   S<24>(B(x["introduction_seal_nonce"])), intro_ad, sealed_intro);
  ASSERT_TRUE(intro.ok());
  EXPECT_EQ(*intro, B(x["introduction"]));
  const Bytes prefix = Cat({intro_ad, sealed_intro});
  EXPECT_EQ(prefix, B(x["x3dh_prefix"]));
  const Bytes first = Cat({prefix, B(x["first_message_ratchet_message"])});
  EXPECT_EQ(first, B(x["first_message"]));
  const auto hash = crypto::Blake2b256(Cat({AsBytes("attune-e2e/v1/first-message-hash"), prefix}));
  EXPECT_EQ(ToBytes(hash), B(x["first_message_hash"]));
  EXPECT_EQ(Cat({Bytes{1, 1}, B(inv["draws"]["invitation_id"]), expiry_be, ToBytes(hash)}),
            B(x["stored_secrets_consumed"]));
}

void CheckRootStep(const json& step, const std::string& chain_field,
                   const std::string& header_field) {
  const Bytes dh = Dh(step["ratchet_private"], step["remote_ratchet_public"]);
  EXPECT_EQ(dh, B(step["dh_output"]));
  const RootKdfOutput out = KdfRk(S<32>(B(step["root_key_in"])), S<32>(dh));
  EXPECT_EQ(ToBytes(out.root_key), B(step["root_key_out"]));
  EXPECT_EQ(ToBytes(out.chain_key), B(step[chain_field]));
  EXPECT_EQ(ToBytes(out.next_header_key), B(step[header_field]));
}

TEST(E2eVectorsTest, RatchetVectorsDecryptWithThePrintedKeys) {
  auto file = attune::testing::LoadJson(VectorPath("e2e_ratchet.json"));
  ASSERT_TRUE(file);
  const json& v = *file;
  const Bytes ad = B(v["associated_data"]);
  const json& init = v["initiator_init"];
  CheckRootStep(init, "sending_chain_key", "next_sending_header_key");
  EXPECT_EQ(B(init["root_key_in"]), B(v["root_key"]));
  EXPECT_EQ(BasePoint(v["responder_ratchet_private"]), B(init["remote_ratchet_public"]));

  std::map<std::string, json> by_id;
  std::map<std::string, Bytes> next_chain_key;  // per sending ratchet key
  next_chain_key[init["ratchet_public"]] = B(init["sending_chain_key"]);
  size_t dh_steps = 0;
  size_t repeated = 0;
  auto x3dh_file = attune::testing::LoadJson(VectorPath("e2e_x3dh.json"));
  ASSERT_TRUE(x3dh_file);
  const Bytes x3dh_prefix = B((*x3dh_file)["x3dh"]["x3dh_prefix"]);
  for (const json& m : v["messages"]) {
    SCOPED_TRACE(m["id"].get<std::string>());
    by_id[m["id"]] = m;
    if (m.contains("dh_ratchet_send")) {
      const json& step = m["dh_ratchet_send"];
      CheckRootStep(step, "sending_chain_key", "next_sending_header_key");
      EXPECT_EQ(BasePoint(step["ratchet_private"]), B(step["ratchet_public"]));
      next_chain_key[step["ratchet_public"]] = B(step["sending_chain_key"]);
      ++dh_steps;
    }
    // The chain continues from the previous message with this ratchet key.
    const std::string ratchet_public = m["header"]["ratchet_public"];
    EXPECT_EQ(B(m["chain_key_in"]), next_chain_key[ratchet_public]);
    const ChainKdfOutput ck = KdfCk(S<32>(B(m["chain_key_in"])));
    EXPECT_EQ(ToBytes(ck.chain_key), B(m["chain_key_out"]));
    EXPECT_EQ(ToBytes(ck.message_key), B(m["message_key"]));
    next_chain_key[ratchet_public] = B(m["chain_key_out"]);

    // Header: version || nonce || XChaCha20-Poly1305(HK, nonce, AD = version, header).
    const Bytes wire = B(m["wire"]);
    ASSERT_GT(wire.size(), 81u);
    // Until the therapist's first reply arrived, the client sends the X3DH
    // prefix in front of every ratchet message; never after.
    if (m["x3dh_prefix_repeated"].get<bool>()) {
      ++repeated;
      EXPECT_EQ(B(m["sent"]), Cat({x3dh_prefix, wire}));
    }
    EXPECT_EQ(wire[0], 2);
    EXPECT_EQ(Bytes(wire.begin() + 1, wire.begin() + 25), B(m["header_nonce"]));
    auto header = crypto::XChaChaOpen(S<32>(B(m["header_key"])), S<24>(B(m["header_nonce"])),
                                      ByteView(wire).first(1), ByteView(wire).subspan(25, 56));
    ASSERT_TRUE(header.ok());
    Bytes expected_header = B(m["header"]["ratchet_public"]);
    AppendU32BE(expected_header, m["header"]["pn"].get<uint32_t>());
    AppendU32BE(expected_header, m["header"]["n"].get<uint32_t>());
    EXPECT_EQ(*header, expected_header);
    EXPECT_EQ(*header, B(m["header_plaintext"]));

    // Body (version 2): key and nonce from mk and the header nonce,
    // BLAKE2b-64(key = mk, "Attune_v2_Ratchet_MessageKey" || header nonce);
    // AD = associated data || wire[0, 81).
    const MessageAeadKey body_key =
        DeriveMessageAeadKey(S<32>(B(m["message_key"])), S<24>(B(m["header_nonce"])));
    EXPECT_EQ(ToBytes(body_key.key), B(m["body_key"]));
    EXPECT_EQ(ToBytes(body_key.nonce), B(m["body_nonce"]));
    {
      crypto::SecretArray<64> okm;
      crypto::Blake2b(okm.mutable_span(),
                      Cat({AsBytes("Attune_v2_Ratchet_MessageKey"), B(m["header_nonce"])}),
                      S<32>(B(m["message_key"])));
      EXPECT_EQ(Bytes(okm.view().begin(), okm.view().begin() + 32), B(m["body_key"]));
      EXPECT_EQ(Bytes(okm.view().begin() + 32, okm.view().begin() + 56), B(m["body_nonce"]));
    }
    const Bytes body_ad = Cat({ad, ByteView(wire).first(81)});
    EXPECT_EQ(body_ad, B(m["body_associated_data"]));
    auto padded = crypto::XChaChaOpen(body_key.key.span(), body_key.nonce.span(), body_ad,
                                      ByteView(wire).subspan(81));
    ASSERT_TRUE(padded.ok());
    EXPECT_EQ(padded->size(), m["padded_size"].get<size_t>());
    auto plaintext = Unpad(*padded);
    ASSERT_TRUE(plaintext.ok());
    EXPECT_EQ(ToBytes(*plaintext), B(m["plaintext"]));
  }
  EXPECT_EQ(v["messages"].size(), 13u);
  EXPECT_EQ(repeated, 2u);  // A1 (the first message) and A2
  EXPECT_GE(dh_steps, 6u);

  // Deliveries: the receiver derives the same message keys, through DH steps
  // and skipped keys.
  size_t skipped_used = 0;
  std::map<uint32_t, Bytes> skipped;
  for (const json& d : v["deliveries"]) {
    SCOPED_TRACE(d["id"].get<std::string>());
    const json& sent = by_id.at(d["id"]);
    EXPECT_EQ(d["plaintext"], sent["plaintext"]);
    EXPECT_EQ(d["message_key"], sent["message_key"]);
    if (d.contains("dh_ratchet_receive")) {
      CheckRootStep(d["dh_ratchet_receive"], "receiving_chain_key", "next_receiving_header_key");
    }
    for (const json& s : d.value("skipped_keys_stored", json::array())) {
      skipped[s["n"].get<uint32_t>()] = B(s["message_key"]);
    }
    if (d["header_key_used"] == "skipped") {
      ++skipped_used;
      EXPECT_EQ(skipped.at(sent["header"]["n"].get<uint32_t>()), B(sent["message_key"]));
    }
  }
  EXPECT_EQ(skipped_used, 2u);
}

TEST(E2eVectorsTest, SafetyNumberVectorsFollowTheDocumentedConstruction) {
  auto file = attune::testing::LoadJson(VectorPath("e2e_safety_number.json"));
  ASSERT_TRUE(file);
  for (const json& c : (*file)["cases"]) {
    std::vector<std::pair<std::string, Bytes>> sides;
    for (const char* s : {"side_a", "side_b"}) {
      const Bytes record = B(c[s]["record"]);
      const Bytes input = Cat({U16(0), ByteView(record).first(80)});
      EXPECT_EQ(input, B(c[s]["hash_input"]));
      auto h = crypto::Sha512(input);
      for (int i = 0; i < 5200; ++i) h = crypto::Sha512(Cat({h, ByteView(record).first(64)}));
      EXPECT_EQ(ToBytes(h), B(c[s]["final_hash"]));
      std::string digits;
      for (size_t k = 0; k < 6; ++k) {
        uint64_t n = 0;
        for (size_t j = 0; j < 5; ++j) n = n * 256 + h[k * 5 + j];
        const std::string five = std::to_string(n % 100000);
        digits += std::string(5 - five.size(), '0') + five;
      }
      EXPECT_EQ(digits, c[s]["digits"].get<std::string>());
      sides.emplace_back(digits, Bytes(h.begin(), h.begin() + 32));
    }
    std::sort(sides.begin(), sides.end());
    EXPECT_EQ(sides[0].first + sides[1].first, c["digits"].get<std::string>());
    EXPECT_EQ(Cat({Bytes{1}, sides[0].second, sides[1].second}), B(c["qr_payload"]));
    auto a = PublicIdentity::Parse(B(c["side_a"]["record"]));
    auto b = PublicIdentity::Parse(B(c["side_b"]["record"]));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(SafetyNumber::Compute(*b, *a).Display(), c["display"].get<std::string>());
  }
}

}  // namespace
}  // namespace attune::e2e
