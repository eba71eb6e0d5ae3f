#include "e2e_vectors.h"

#include <cstring>
#include <map>
#include <utility>

#include "attune/crypto/hash.h"
#include "attune/crypto/random.h"
#include "attune/e2e/first_message.h"
#include "attune/e2e/invitation_codec.h"
#include "attune/e2e/safety_number.h"
#include "attune/e2e/x3dh.h"
#include "ratchet_reference.h"

namespace attune::e2e::vectors {
namespace {

constexpr uint64_t kMintTime = 1'800'000'000;
constexpr uint64_t kLifetime = 7 * 24 * 60 * 60;
constexpr uint64_t kAcceptTime = kMintTime + 600;
constexpr uint64_t kProcessTime = kMintTime + 900;
constexpr std::string_view kTherapistSeed = "attune-e2e-vectors/v1/therapist";
constexpr std::string_view kClientSeed = "attune-e2e-vectors/v1/client";
constexpr std::string_view kOtherClientSeed = "attune-e2e-vectors/v1/other-client";
constexpr std::string_view kRoutingBlob = "relay=relay.clinic.example:7443;mailbox=demo";

template <typename T>
std::string H(const T& bytes) {
  return ToHex(ByteView(bytes.data(), bytes.size()));
}

Error Mismatch(std::string what) {
  return MakeError(ErrorCode::kInternal, "vector cross-check failed: " + what);
}

// DeterministicRandom that remembers each draw, so the tool can print the
// random values (keys, nonces) each step consumed.
class RecordingRandom final : public crypto::RandomSource {
 public:
  explicit RecordingRandom(std::string_view label) : inner_(label) {}
  void Fill(MutableByteView out) override {
    inner_.Fill(out);
    draws_.emplace_back(out.begin(), out.end());
  }
  std::vector<Bytes> Take() { return std::exchange(draws_, {}); }

 private:
  crypto::DeterministicRandom inner_;
  std::vector<Bytes> draws_{};
};

Json SeedJson(std::string_view label) {
  return Json{{"label", std::string(label)}, {"seed", H(crypto::Blake2b256(AsBytes(label)))}};
}

Json IdentityJson(const Identity& identity, const std::vector<Bytes>& draws) {
  const PublicIdentity& pub = identity.public_identity();
  Bytes binding;
  Append(binding, kIdentityBindingLabel);
  Append(binding, pub.key_bytes());
  const crypto::SecretBytes stored = identity.Serialize();
  return Json{{"ed25519_seed", H(draws.at(0))},
              {"x25519_private", H(draws.at(1))},
              {"device_id", H(draws.at(2))},
              {"ed25519_public", H(pub.signing_key())},
              {"x25519_public", H(pub.agreement_key())},
              {"binding_signed_message", H(binding)},
              {"record", H(pub.record())},
              {"stored_private_identity", ToHex(stored.view())}};
}

RatchetInit InitFromTrace(const X3dhTrace& t) {
  return RatchetInit{t.root_key.Clone(), t.shared_hka.Clone(), t.shared_nhkb.Clone(),
                     t.associated_data};
}

Status SameSecret(const crypto::SecretArray<32>& a, const crypto::SecretArray<32>& b,
                  const std::string& what) {
  if (std::memcmp(a.data(), b.data(), 32) != 0) return Mismatch(what);
  return Status::Ok();
}

// Safety number side computed here from the documented construction, then
// compared with SafetyNumber::Compute.
Json SafetySide(const PublicIdentity& id, std::string* digits) {
  Bytes input;
  AppendU16BE(input, kSafetyNumberVersion);
  Append(input, id.key_bytes());
  ByteArray<64> h = crypto::Sha512(input);
  const ByteView keys = id.key_bytes().first(64);
  for (uint32_t i = 0; i < kSafetyNumberIterations; ++i) {
    Bytes round(h.begin(), h.end());
    Append(round, keys);
    h = crypto::Sha512(round);
  }
  digits->clear();
  for (size_t c = 0; c < 6; ++c) {
    uint64_t v = 0;
    for (size_t j = 0; j < 5; ++j) v = (v << 8) | h[c * 5 + j];
    std::string five = std::to_string(v % 100000);
    digits->append(std::string(5 - five.size(), '0') + five);
  }
  return Json{{"record", H(id.record())},
              {"hash_input", H(input)},
              {"final_hash", H(h)},
              {"digits", *digits}};
}

Result<Json> SafetyNumberCase(const PublicIdentity& a, const PublicIdentity& b) {
  std::string da, db;
  Json side_a = SafetySide(a, &da);
  Json side_b = SafetySide(b, &db);
  const SafetyNumber number = SafetyNumber::Compute(a, b);
  const std::string expected = da < db ? da + db : db + da;
  if (number.digits() != expected) return Mismatch("safety number digits");
  return Json{{"side_a", side_a},
              {"side_b", side_b},
              {"digits", number.digits()},
              {"display", number.Display()},
              {"qr_payload", H(number.qr_payload())}};
}

struct Party {
  std::string name{};
  Session* session = nullptr;
  ReferenceRatchet* reference = nullptr;
  RecordingRandom* random = nullptr;
  // Responder: the consumed invitation, for repeated X3DH prefixes.
  const InvitationSecrets* consumed = nullptr;
};

// Encrypts with the real Session and with the reference; both must agree.
// Until the initiator has received a reply, the Session's output is the
// X3DH prefix followed by the reference's ratchet message.
Status Send(Party& from, const std::string& id, const std::string& plaintext,
            std::map<std::string, Bytes>& in_flight, Json& messages) {
  from.random->Take();
  const Bytes prefix(from.session->pending_x3dh_prefix().begin(),
                     from.session->pending_x3dh_prefix().end());
  ATTUNE_ASSIGN_OR_RETURN(Bytes wire, from.session->Encrypt(AsBytes(plaintext), *from.random));
  Json trace{{"id", id}, {"sender", from.name}};
  ATTUNE_ASSIGN_OR_RETURN(Bytes reference,
                          from.reference->Encrypt(AsBytes(plaintext), from.random->Take(), trace));
  if (wire.size() != prefix.size() + reference.size() ||
      !std::equal(prefix.begin(), prefix.end(), wire.begin()) ||
      !std::equal(reference.begin(), reference.end(), wire.begin() + prefix.size())) {
    return Mismatch("ratchet message " + id);
  }
  trace["x3dh_prefix_repeated"] = !prefix.empty();
  if (!prefix.empty()) trace["sent"] = ToHex(wire);
  in_flight[id] = std::move(wire);
  messages.push_back(std::move(trace));
  return Status::Ok();
}

Status Deliver(Party& to, const std::string& id, const std::map<std::string, Bytes>& in_flight,
               uint64_t now, Json& deliveries) {
  const Bytes& wire = in_flight.at(id);
  const bool prefixed = wire[0] == kFirstMessageTypeV2;
  if (prefixed && to.consumed == nullptr) return Mismatch("prefix sent to the initiator");
  ATTUNE_ASSIGN_OR_RETURN(Bytes plaintext,
                          prefixed ? DecryptOnSession(*to.session, *to.consumed, wire, now)
                                   : to.session->Decrypt(wire, now));
  ByteView ratchet = wire;
  if (prefixed) {
    ATTUNE_ASSIGN_OR_RETURN(FirstMessageView view, FirstMessageView::Parse(wire));
    ratchet = view.ratchet_message();
  }
  Json trace{{"id", id}, {"receiver", to.name}};
  ATTUNE_ASSIGN_OR_RETURN(Bytes reference,
                          to.reference->Decrypt(Bytes(ratchet.begin(), ratchet.end()), trace));
  if (reference != plaintext) return Mismatch("delivery of " + id);
  deliveries.push_back(std::move(trace));
  return Status::Ok();
}

std::string Dump(const Json& j) { return j.dump(2) + "\n"; }

}  // namespace

Result<std::vector<VectorFile>> GenerateE2eVectors() {
  RecordingRandom therapist_random(kTherapistSeed);
  RecordingRandom client_random(kClientSeed);
  RecordingRandom other_random(kOtherClientSeed);

  // --- Identities -----------------------------------------------------------
  const Identity therapist = Identity::Generate(therapist_random);
  const Json therapist_json = IdentityJson(therapist, therapist_random.Take());
  const Identity client = Identity::Generate(client_random);
  const Json client_json = IdentityJson(client, client_random.Take());
  const Identity other = Identity::Generate(other_random);
  const Json other_json = IdentityJson(other, other_random.Take());

  // --- Invitation -----------------------------------------------------------
  ATTUNE_ASSIGN_OR_RETURN(
      MintedInvitation minted,
      MintInvitation(therapist, AsBytes(kRoutingBlob), kMintTime, kLifetime, therapist_random));
  const std::vector<Bytes> mint_draws = therapist_random.Take();
  const Bytes& encoded = minted.invitation.encoded();
  const std::string text = EncodeInvitationText(minted.invitation);
  ATTUNE_ASSIGN_OR_RETURN(ValidatedInvitation invitation, ParseInvitationText(text, kAcceptTime));
  if (invitation.encoded() != encoded) return Mismatch("invitation text round trip");
  Bytes signed_message;
  Append(signed_message, kInvitationSignatureLabel);
  Append(signed_message, ByteView(encoded).first(encoded.size() - 64));
  Bytes checksum_input;
  Append(checksum_input, kInvitationChecksumLabel);
  Append(checksum_input, encoded);
  const ByteArray<32> checksum_hash = crypto::Blake2b256(checksum_input);
  const crypto::SecretBytes open_secrets = minted.secrets.Serialize();
  Json invitation_json{{"mint_time", kMintTime},
                       {"lifetime_seconds", kLifetime},
                       {"routing_blob", ToHex(AsBytes(kRoutingBlob))},
                       {"draws",
                        {{"invitation_id", H(mint_draws.at(0))},
                         {"signed_prekey_private", H(mint_draws.at(1))},
                         {"one_time_prekey_private", H(mint_draws.at(2))}}},
                       {"expiry", invitation.expires_at()},
                       {"signed_prekey_public", H(invitation.signed_prekey())},
                       {"one_time_prekey_public", H(invitation.one_time_prekey())},
                       {"signed_message", H(signed_message)},
                       {"signature", ToHex(ByteView(encoded).last(64))},
                       {"binary", H(encoded)},
                       {"checksum", ToHex(ByteView(checksum_hash).first(kInvitationChecksumSize))},
                       {"text", text},
                       {"stored_secrets_open", ToHex(open_secrets.view())}};

  // --- Acceptance (client side) --------------------------------------------
  const std::string first_plaintext = "Hello, this is Sam. Thank you for the invitation.";
  // Stands in for the client's ContactHello (opaque to this layer).
  const std::string introduction = "introduction: Sam, mailbox 7f3a, send capability";
  X3dhTrace client_trace;
  ATTUNE_ASSIGN_OR_RETURN(
      AcceptedInvitation accepted,
      AcceptInvitation(client, invitation, AsBytes(introduction), AsBytes(first_plaintext),
                       kAcceptTime, client_random, nullptr, &client_trace));
  const std::vector<Bytes> accept_draws = client_random.Take();  // EK, ratchet key, nonce
  if (accept_draws.size() != 3) return Mismatch("acceptance draws");

  // --- Processing (therapist side) -----------------------------------------
  X3dhTrace therapist_trace;
  ATTUNE_ASSIGN_OR_RETURN(ProcessedFirstMessage processed,
                          ProcessFirstMessage(therapist, minted.secrets, accepted.first_message,
                                              kProcessTime, nullptr, &therapist_trace));
  if (processed.plaintext != Bytes(first_plaintext.begin(), first_plaintext.end())) {
    return Mismatch("first plaintext");
  }
  if (processed.introduction != Bytes(introduction.begin(), introduction.end())) {
    return Mismatch("introduction");
  }
  ATTUNE_RETURN_IF_ERROR(SameSecret(client_trace.introduction_key, therapist_trace.introduction_key,
                                    "introduction key"));
  ATTUNE_RETURN_IF_ERROR(SameSecret(client_trace.root_key, therapist_trace.root_key, "root key"));
  ATTUNE_RETURN_IF_ERROR(SameSecret(client_trace.shared_hka, therapist_trace.shared_hka, "hka"));
  ATTUNE_RETURN_IF_ERROR(SameSecret(client_trace.shared_nhkb, therapist_trace.shared_nhkb, "nhkb"));
  if (client_trace.associated_data != therapist_trace.associated_data) return Mismatch("AD");

  Bytes ikm(32, 0xff);
  for (const auto* dh :
       {&client_trace.dh1, &client_trace.dh2, &client_trace.dh3, &client_trace.dh4}) {
    Append(ikm, dh->view());
  }
  const ByteView first = accepted.first_message;
  ATTUNE_ASSIGN_OR_RETURN(const FirstMessageView first_view, FirstMessageView::Parse(first));
  const size_t prefix_size = first_view.x3dh_prefix().size();
  Bytes seal_info;
  Append(seal_info, kIdentitySealLabel);
  Append(seal_info, first.first(kFirstMessagePublicHeaderSize));
  Bytes intro_info;
  Append(intro_info, kIntroductionSealLabel);
  Append(intro_info, first.first(kIntroductionAdSize));
  const crypto::SecretBytes consumed_secrets = processed.secrets.Serialize();
  Json x3dh_json{{"accept_time", kAcceptTime},
                 {"ephemeral_private", H(client_trace.ephemeral_private)},
                 {"ephemeral_public", ToHex(first.subspan(1 + kInvitationIdSize, 32))},
                 {"dh1", H(client_trace.dh1)},
                 {"dh2", H(client_trace.dh2)},
                 {"dh3", H(client_trace.dh3)},
                 {"dh4", H(client_trace.dh4)},
                 {"kdf_salt", ToHex(Bytes(32, 0))},
                 {"kdf_ikm", ToHex(ikm)},
                 {"kdf_info", ToHex(AsBytes(kX3dhInfoLabel))},
                 {"root_key", H(client_trace.root_key)},
                 {"shared_hka", H(client_trace.shared_hka)},
                 {"shared_nhkb", H(client_trace.shared_nhkb)},
                 {"associated_data", ToHex(client_trace.associated_data)},
                 {"identity_seal_info", ToHex(seal_info)},
                 {"identity_seal_key", H(client_trace.seal_key)},
                 {"identity_seal_nonce", H(client_trace.seal_nonce)},
                 {"introduction", ToHex(AsBytes(introduction))},
                 {"introduction_seal_info", ToHex(intro_info)},
                 {"introduction_seal_key", H(client_trace.introduction_key)},
                 {"introduction_seal_nonce", H(client_trace.introduction_nonce)},
                 {"first_plaintext", ToHex(AsBytes(first_plaintext))},
                 {"first_message", ToHex(first)},
                 {"first_message_public_header", ToHex(first.first(kFirstMessagePublicHeaderSize))},
                 {"first_message_sealed_identity",
                  ToHex(first.subspan(kFirstMessagePublicHeaderSize, kSealedIdentitySize))},
                 {"first_message_introduction_length",
                  ToHex(first.subspan(kFirstMessageHeaderSize, kIntroductionLengthSize))},
                 {"first_message_sealed_introduction", ToHex(first_view.sealed_introduction())},
                 {"x3dh_prefix", ToHex(first_view.x3dh_prefix())},
                 {"first_message_ratchet_message", ToHex(first.subspan(prefix_size))},
                 {"first_message_hash", H(FirstMessageHash(first_view.x3dh_prefix()))},
                 {"process_time", kProcessTime},
                 {"stored_secrets_consumed", ToHex(consumed_secrets.view())}};

  // --- Ratchet: five messages each way, DH steps, out-of-order ------------
  Json ratchet_init;
  ReferenceRatchet client_ref = ReferenceRatchet::Initiator(
      InitFromTrace(client_trace), accept_draws.at(1), invitation.signed_prekey(), ratchet_init);
  ReferenceRatchet therapist_ref =
      ReferenceRatchet::Responder(InitFromTrace(therapist_trace), mint_draws.at(1));
  Json messages = Json::array();
  Json deliveries = Json::array();
  {
    Json trace{{"id", "A1"}, {"sender", "client"}};
    ATTUNE_ASSIGN_OR_RETURN(
        Bytes a1, client_ref.Encrypt(AsBytes(first_plaintext), {accept_draws.at(2)}, trace));
    if (a1 != Bytes(first.begin() + static_cast<std::ptrdiff_t>(prefix_size), first.end())) {
      return Mismatch("first ratchet message");
    }
    trace["x3dh_prefix_repeated"] = true;
    trace["sent"] = ToHex(first);
    messages.push_back(std::move(trace));
    Json delivery{{"id", "A1"}, {"receiver", "therapist"}};
    ATTUNE_ASSIGN_OR_RETURN(Bytes plain, therapist_ref.Decrypt(a1, delivery));
    if (plain != processed.plaintext) return Mismatch("reference A1");
    deliveries.push_back(std::move(delivery));
  }
  Party c{"client", &accepted.session, &client_ref, &client_random};
  Party t{"therapist", &processed.session, &therapist_ref, &therapist_random, &processed.secrets};
  std::map<std::string, Bytes> wires;
  uint64_t now = kProcessTime;
  // A = client, B = therapist. Each change of direction is a DH ratchet step.
  const std::vector<std::tuple<char, std::string, std::string>> script = {
      {'s', "A2", "Mood 6/10, slept 7 hours."},
      {'d', "A2", ""},
      {'s', "B1", "Thanks, Sam. How was the week?"},
      {'s', "B2", "Remember the breathing exercise."},
      {'d', "B1", ""},
      {'d', "B2", ""},
      {'s', "A3", "Better than last week."},
      {'d', "A3", ""},
      {'s', "B3", "Good to hear."},
      {'d', "B3", ""},
      {'s', "A4", "PHQ-9 done."},
      {'s', "A5", "See you Thursday."},
      {'d', "A4", ""},
      {'d', "A5", ""},
      {'s', "B4", "See you then."},
      {'s', "B5", "Take care."},
      {'d', "B4", ""},
      {'d', "B5", ""},
      // Out of order: A8 arrives first, A6 and A7 come from skipped keys.
      {'s', "A6", "out of order: sent first"},
      {'s', "A7", "out of order: sent second"},
      {'s', "A8", "out of order: sent third, delivered first"},
      {'d', "A8", ""},
      {'d', "A6", ""},
      {'d', "A7", ""},
  };
  for (const auto& [op, id, plaintext] : script) {
    const bool from_client = id[0] == 'A';
    now += 60;
    if (op == 's') {
      ATTUNE_RETURN_IF_ERROR(Send(from_client ? c : t, id, plaintext, wires, messages));
    } else {
      ATTUNE_RETURN_IF_ERROR(Deliver(from_client ? t : c, id, wires, now, deliveries));
    }
  }

  // --- Safety numbers -------------------------------------------------------
  ATTUNE_ASSIGN_OR_RETURN(Json sn_pair,
                          SafetyNumberCase(therapist.public_identity(), client.public_identity()));
  ATTUNE_ASSIGN_OR_RETURN(Json sn_changed,
                          SafetyNumberCase(therapist.public_identity(), other.public_identity()));

  const Json seeds{{"therapist", SeedJson(kTherapistSeed)},
                   {"client", SeedJson(kClientSeed)},
                   {"other_client", SeedJson(kOtherClientSeed)}};
  const char* kRandom =
      "Each seed drives crypto::DeterministicRandom: the ChaCha20-IETF keystream (nonce 0) "
      "keyed by seed = BLAKE2b-256(label), consumed in order.";

  Json x3dh_file{{"description",
                  "Identities, a one-time invitation, its acceptance (X3DH) and the first message "
                  "(docs/PROTOCOL.md (part x3dh)). All byte strings are lower-case hex."},
                 {"generator", "attune_vector_gen (tests/e2e/vectors)"},
                 {"random", kRandom},
                 {"seeds", seeds},
                 {"labels",
                  {{"identity_binding", std::string(kIdentityBindingLabel)},
                   {"invitation_signature", std::string(kInvitationSignatureLabel)},
                   {"invitation_checksum", std::string(kInvitationChecksumLabel)},
                   {"x3dh_info", std::string(kX3dhInfoLabel)},
                   {"x3dh_ad", std::string(kX3dhAdLabel)},
                   {"identity_seal", std::string(kIdentitySealLabel)},
                   {"introduction_seal", std::string(kIntroductionSealLabel)},
                   {"first_message_hash", std::string(kFirstMessageHashLabel)}}},
                 {"therapist", therapist_json},
                 {"client", client_json},
                 {"invitation", invitation_json},
                 {"x3dh", x3dh_json}};

  Json ratchet_file{
      {"description",
       "The Double Ratchet with header encryption after the X3DH of e2e_x3dh.json: five "
       "messages each way with DH ratchet steps, then an out-of-order delivery "
       "(docs/PROTOCOL.md (part ratchet)). 'messages' are in sending order with the sender's keys; "
       "'deliveries' in delivery order with the receiver's view. All byte strings are hex."},
      {"generator", "attune_vector_gen (tests/e2e/vectors)"},
      {"random", kRandom},
      {"seeds", seeds},
      {"associated_data", ToHex(client_trace.associated_data)},
      {"root_key", H(client_trace.root_key)},
      {"shared_hka", H(client_trace.shared_hka)},
      {"shared_nhkb", H(client_trace.shared_nhkb)},
      {"responder_ratchet_private", H(mint_draws.at(1))},
      {"initiator_init", ratchet_init},
      {"messages", messages},
      {"deliveries", deliveries}};

  Json safety_file{
      {"description",
       "Safety numbers (docs/PROTOCOL.md (part x3dh), 'Safety numbers'): per side, SHA-512 of "
       "u16-BE version || key bytes, iterated; digits and QR payload for both orders."},
      {"generator", "attune_vector_gen (tests/e2e/vectors)"},
      {"version", kSafetyNumberVersion},
      {"iterations", kSafetyNumberIterations},
      {"cases", Json::array({sn_pair, sn_changed})}};

  return std::vector<VectorFile>{{"e2e_x3dh.json", Dump(x3dh_file)},
                                 {"e2e_ratchet.json", Dump(ratchet_file)},
                                 {"e2e_safety_number.json", Dump(safety_file)}};
}

}  // namespace attune::e2e::vectors
