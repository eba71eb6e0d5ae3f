// Session set-up (RatchetInitAliceHE / RatchetInitBobHE) and sending
// (RatchetEncryptHE). Receiving is in session_decrypt.cc, persistence in
// session_codec.cc.
#include "attune/e2e/session.h"

#include <cassert>
#include <cstring>
#include <limits>

#include "attune/crypto/aead.h"
#include "attune/e2e/first_message.h"
#include "attune/e2e/ratchet_message.h"

namespace attune::e2e {

Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

Result<Session> Session::InitInitiator(RatchetInit init,
                                       const crypto::X25519PublicKey& responder_ratchet_public,
                                       crypto::RandomSource& rng) {
  if (init.associated_data.empty() || init.associated_data.size() > kMaxAssociatedDataSize) {
    return MakeError(ErrorCode::kInvalidArgument, "associated data empty or too long");
  }
  // DHs = GENERATE_DH(); RK, CKs, NHKs = KDF_RK(SK, DH(DHs, DHr))
  crypto::X25519KeyPair dh_self = crypto::GenerateX25519KeyPair(rng);
  ATTUNE_ASSIGN_OR_RETURN(const RatchetKey dh_out,
                          crypto::X25519(dh_self.private_key.span(), responder_ratchet_public));
  RootKdfOutput kdf = KdfRk(init.root_key.span(), dh_out.span());

  Session s;
  s.root_key_ = std::move(kdf.root_key);
  s.dh_self_ = std::move(dh_self);
  s.dh_remote_ = responder_ratchet_public;
  s.has_sending_chain_ = true;
  s.sending_chain_key_ = std::move(kdf.chain_key);
  s.has_sending_header_key_ = true;
  s.sending_header_key_ = std::move(init.shared_hka);
  s.next_sending_header_key_ = std::move(kdf.next_header_key);
  s.next_receiving_header_key_ = std::move(init.shared_nhkb);
  s.associated_data_ = std::move(init.associated_data);
  s.body_ad_scratch_ = s.associated_data_;
  s.body_ad_scratch_.resize(s.associated_data_.size() + kWirePrefixSize);
  return s;
}

Session Session::InitResponder(RatchetInit init, crypto::X25519KeyPair responder_ratchet_keypair) {
  assert(!init.associated_data.empty() && init.associated_data.size() <= kMaxAssociatedDataSize);
  Session s;
  s.root_key_ = std::move(init.root_key);
  s.dh_self_ = std::move(responder_ratchet_keypair);
  s.next_sending_header_key_ = std::move(init.shared_nhkb);
  s.next_receiving_header_key_ = std::move(init.shared_hka);
  s.associated_data_ = std::move(init.associated_data);
  s.body_ad_scratch_ = s.associated_data_;
  s.body_ad_scratch_.resize(s.associated_data_.size() + kWirePrefixSize);
  return s;
}

ByteView Session::BodyAd(ByteView wire_prefix) {
  const size_t ad = associated_data_.size();
  assert(body_ad_scratch_.size() == ad + kWirePrefixSize && wire_prefix.size() == kWirePrefixSize);
  std::memcpy(body_ad_scratch_.data() + ad, wire_prefix.data(), kWirePrefixSize);
  return body_ad_scratch_;
}

Status Session::RepeatX3dhPrefix(ByteView prefix) {
  if (prefix.size() > kMaxX3dhPrefixSize) {
    return MakeError(ErrorCode::kInvalidArgument, "X3DH prefix too long");
  }
  if (has_receiving_chain_ || !receiving_chains_.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the peer has already replied: nothing left to repeat");
  }
  pending_x3dh_prefix_.assign(prefix.begin(), prefix.end());
  return Status::Ok();
}

size_t Session::stored_skipped_keys() const {
  size_t total = 0;
  for (const ReceivingChain& chain : receiving_chains_) total += chain.skipped.size();
  return total;
}

Result<Bytes> Session::Encrypt(ByteView plaintext, crypto::RandomSource& rng) {
  ATTUNE_ASSIGN_OR_RETURN(const size_t padded_size, PaddedSize(plaintext.size()));
  if (!can_send()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no sending chain yet: the responder must receive the first message");
  }

  // Second half of DHRatchetHE, deferred from the receive that set the flag
  // because only Encrypt has randomness:
  //   DHs = GENERATE_DH(); RK, CKs, NHKs = KDF_RK(RK, DH(DHs, DHr))
  // Computed into scratch values; committed below.
  std::optional<crypto::X25519KeyPair> new_dh_self;
  std::optional<RootKdfOutput> step;
  const RatchetKey* chain_key = &sending_chain_key_;
  uint32_t n = sending_n_;
  if (pending_sending_step_) {
    assert(dh_remote_.has_value());
    new_dh_self = crypto::GenerateX25519KeyPair(rng);
    ATTUNE_ASSIGN_OR_RETURN(const RatchetKey dh_out,
                            crypto::X25519(new_dh_self->private_key.span(), *dh_remote_));
    step = KdfRk(root_key_.span(), dh_out.span());
    chain_key = &step->chain_key;
    n = 0;
  }
  if (n == std::numeric_limits<uint32_t>::max()) {
    return MakeError(ErrorCode::kLimitExceeded, "sending chain exhausted");
  }

  // CKs, mk = KDF_CK(CKs)
  ChainKdfOutput ck = KdfCk(chain_key->span());

  // While the peer has not replied, the X3DH prefix goes first (a version 2
  // first message); the ratchet message follows unchanged.
  const size_t lead = pending_x3dh_prefix_.size();
  Bytes out(lead + kWirePrefixSize + padded_size + kAeadTagSize);
  if (lead != 0) std::memcpy(out.data(), pending_x3dh_prefix_.data(), lead);
  uint8_t* const p = out.data() + lead;
  p[0] = kRatchetWireVersion;
  rng.Fill(MutableByteView(p + 1, kHeaderNonceSize));
  const crypto::ConstSpan<kHeaderNonceSize> header_nonce(p + 1, kHeaderNonceSize);
  const MessageAeadKey body_key = DeriveMessageAeadKey(ck.message_key.span(), header_nonce);

  // enc_header = HENCRYPT(HKs, HEADER(DHs, PN, Ns)). Header keys encrypt a
  // whole chain's headers, so the nonce is random (24 bytes: collisions are
  // negligible), never derived from the counter it hides.
  RatchetHeader header;
  header.dh = new_dh_self ? new_dh_self->public_key : dh_self_.public_key;
  header.pn = previous_sending_n_;
  header.n = n;
  const ByteArray<kHeaderSize> header_bytes = header.Encode();
  std::memcpy(p + 1 + kHeaderNonceSize, header_bytes.data(), kHeaderSize);
  crypto::XChaChaSealInPlace(
      sending_header_key_.span(), crypto::ConstSpan<kHeaderNonceSize>(p + 1, kHeaderNonceSize),
      ByteView(p, 1), MutableByteView(p + 1 + kHeaderNonceSize, kHeaderSize + kAeadTagSize));

  // ENCRYPT(mk, pad(plaintext), AD || enc_header), key and nonce from mk and
  // the header nonce.
  const MutableByteView body(p + kWirePrefixSize, padded_size + kAeadTagSize);
  Pad(plaintext, body.first(padded_size));
  crypto::XChaChaSealInPlace(body_key.key.span(), body_key.nonce.span(),
                             BodyAd(ByteView(p, kWirePrefixSize)), body);

  // Commit.
  if (pending_sending_step_) {
    dh_self_ = std::move(*new_dh_self);
    root_key_ = std::move(step->root_key);
    next_sending_header_key_ = std::move(step->next_header_key);
    has_sending_chain_ = true;
    pending_sending_step_ = false;
  }
  sending_chain_key_ = std::move(ck.chain_key);
  sending_n_ = n + 1;
  return out;
}

}  // namespace attune::e2e
