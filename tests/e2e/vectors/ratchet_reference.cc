#include "ratchet_reference.h"

#include <cstring>

#include "attune/crypto/aead.h"
#include "attune/e2e/ratchet_message.h"

namespace attune::e2e::vectors {
namespace {

template <typename T>
std::string HexOf(const T& bytes) {
  return ToHex(ByteView(bytes.data(), bytes.size()));
}

RatchetKey Copy(const RatchetKey& k) { return k.Clone(); }

RatchetKey FromBytes(ByteView b) {
  RatchetKey k;
  std::memcpy(k.data(), b.data(), k.size());
  return k;
}

std::optional<RatchetHeader> OpenHeader(const RatchetKey& hk, ByteView wire) {
  auto plain = crypto::XChaChaOpen(hk.span(), crypto::ConstSpan<24>(wire.data() + 1, 24),
                                   wire.first(1), wire.subspan(25, kHeaderSize + kAeadTagSize));
  if (!plain.ok()) return std::nullopt;
  return RatchetHeader::Decode(crypto::ConstSpan<kHeaderSize>(plain->data(), kHeaderSize));
}

}  // namespace

ReferenceRatchet ReferenceRatchet::Initiator(const RatchetInit& init, ByteView ratchet_private,
                                             const crypto::X25519PublicKey& responder_public,
                                             Json& trace) {
  ReferenceRatchet r;
  r.ad_ = init.associated_data;
  r.dhs_ = crypto::X25519KeyPairFromPrivate(crypto::ConstSpan<32>(ratchet_private.data(), 32));
  r.dhr_ = responder_public;
  const auto dh = crypto::X25519(r.dhs_.private_key.span(), responder_public).value();
  RootKdfOutput kdf = KdfRk(init.root_key.span(), dh.span());
  trace = Json{{"ratchet_private", HexOf(r.dhs_.private_key)},
               {"ratchet_public", HexOf(r.dhs_.public_key)},
               {"remote_ratchet_public", HexOf(responder_public)},
               {"dh_output", HexOf(dh)},
               {"root_key_in", HexOf(init.root_key)},
               {"root_key_out", HexOf(kdf.root_key)},
               {"sending_chain_key", HexOf(kdf.chain_key)},
               {"next_sending_header_key", HexOf(kdf.next_header_key)},
               {"sending_header_key", HexOf(init.shared_hka)},
               {"next_receiving_header_key", HexOf(init.shared_nhkb)}};
  r.rk_ = std::move(kdf.root_key);
  r.cks_ = std::move(kdf.chain_key);
  r.nhks_ = std::move(kdf.next_header_key);
  r.hks_ = Copy(init.shared_hka);
  r.nhkr_ = Copy(init.shared_nhkb);
  return r;
}

ReferenceRatchet ReferenceRatchet::Responder(const RatchetInit& init, ByteView ratchet_private) {
  ReferenceRatchet r;
  r.ad_ = init.associated_data;
  r.dhs_ = crypto::X25519KeyPairFromPrivate(crypto::ConstSpan<32>(ratchet_private.data(), 32));
  r.rk_ = Copy(init.root_key);
  r.nhks_ = Copy(init.shared_nhkb);
  r.nhkr_ = Copy(init.shared_hka);
  return r;
}

Result<Bytes> ReferenceRatchet::Encrypt(ByteView plaintext, const std::vector<Bytes>& draws,
                                        Json& trace) {
  size_t next = 0;
  trace["plaintext"] = ToHex(plaintext);
  if (pending_send_step_) {
    // Second half of DHRatchetHE: DHs = GENERATE_DH(); RK, CKs, NHKs = KDF_RK(RK, DH(DHs, DHr)).
    if (draws.size() != 2 || draws[0].size() != 32) {
      return MakeError(ErrorCode::kInternal, "expected a ratchet key draw");
    }
    crypto::X25519KeyPair fresh =
        crypto::X25519KeyPairFromPrivate(crypto::ConstSpan<32>(draws[next++].data(), 32));
    ATTUNE_ASSIGN_OR_RETURN(auto dh, crypto::X25519(fresh.private_key.span(), *dhr_));
    RootKdfOutput kdf = KdfRk(rk_.span(), dh.span());
    trace["dh_ratchet_send"] = Json{{"ratchet_private", HexOf(fresh.private_key)},
                                    {"ratchet_public", HexOf(fresh.public_key)},
                                    {"remote_ratchet_public", HexOf(*dhr_)},
                                    {"dh_output", HexOf(dh)},
                                    {"root_key_in", HexOf(rk_)},
                                    {"root_key_out", HexOf(kdf.root_key)},
                                    {"sending_chain_key", HexOf(kdf.chain_key)},
                                    {"next_sending_header_key", HexOf(kdf.next_header_key)}};
    dhs_ = std::move(fresh);
    rk_ = std::move(kdf.root_key);
    cks_ = std::move(kdf.chain_key);
    nhks_ = std::move(kdf.next_header_key);
    pending_send_step_ = false;
  }
  if (draws.size() != next + 1 || draws[next].size() != kHeaderNonceSize || !cks_ || !hks_) {
    return MakeError(ErrorCode::kInternal, "unexpected draws or no sending chain");
  }
  const Bytes& nonce = draws[next];

  ChainKdfOutput ck = KdfCk(cks_->span());
  const MessageAeadKey body_key =
      DeriveMessageAeadKey(ck.message_key.span(), crypto::ConstSpan<24>(nonce.data(), 24));
  RatchetHeader header{dhs_.public_key, pn_, ns_};
  const auto header_bytes = header.Encode();

  Bytes wire{kRatchetWireVersion};
  Append(wire, nonce);
  Append(wire, crypto::XChaChaSeal(hks_->span(), crypto::ConstSpan<24>(nonce.data(), 24),
                                   ByteView(wire).first(1), header_bytes));
  ATTUNE_ASSIGN_OR_RETURN(const size_t padded_size, PaddedSize(plaintext.size()));
  Bytes padded(padded_size);
  Pad(plaintext, padded);
  Bytes body_ad = ad_;
  Append(body_ad, wire);
  Append(wire, crypto::XChaChaSeal(body_key.key.span(), body_key.nonce.span(), body_ad, padded));

  trace["header"] = Json{{"ratchet_public", HexOf(dhs_.public_key)}, {"pn", pn_}, {"n", ns_}};
  trace["header_plaintext"] = HexOf(header_bytes);
  trace["header_key"] = HexOf(*hks_);
  trace["header_nonce"] = ToHex(nonce);
  trace["chain_key_in"] = HexOf(*cks_);
  trace["chain_key_out"] = HexOf(ck.chain_key);
  trace["message_key"] = HexOf(ck.message_key);
  trace["body_key"] = HexOf(body_key.key);
  trace["body_nonce"] = HexOf(body_key.nonce);
  trace["padded_size"] = padded_size;
  trace["body_associated_data"] = ToHex(body_ad);
  trace["wire"] = ToHex(wire);

  cks_ = std::move(ck.chain_key);
  ++ns_;
  return wire;
}

Status ReferenceRatchet::SkipTo(uint32_t until, Json& trace) {
  // SkipMessageKeysHE: store MKSKIPPED[HKr, Nr] for every key passed over.
  if (ckr_) {
    while (nr_ < until) {
      ChainKdfOutput ck = KdfCk(ckr_->span());
      trace["skipped_keys_stored"].push_back(
          Json{{"header_key", HexOf(*hkr_)}, {"n", nr_}, {"message_key", HexOf(ck.message_key)}});
      skipped_.emplace(std::pair{HexOf(*hkr_), nr_}, std::move(ck.message_key));
      ckr_ = std::move(ck.chain_key);
      ++nr_;
    }
  }
  return Status::Ok();
}

Result<Bytes> ReferenceRatchet::Decrypt(ByteView wire, Json& trace) {
  RatchetKey mk;
  bool have_mk = false;
  // TrySkippedMessageKeysHE.
  for (auto it = skipped_.begin(); it != skipped_.end() && !have_mk; ++it) {
    const RatchetKey hk = FromBytes(*FromHex(it->first.first));
    auto header = OpenHeader(hk, wire);
    if (header && header->n == it->first.second) {
      trace["header_key_used"] = "skipped";
      trace["message_key"] = HexOf(it->second);
      mk = std::move(it->second);
      skipped_.erase(it);
      have_mk = true;
      break;
    }
  }
  if (!have_mk) {
    std::optional<RatchetHeader> header;
    if (hkr_) header = OpenHeader(*hkr_, wire);
    if (header) {
      trace["header_key_used"] = "current";
    } else {
      header = OpenHeader(nhkr_, wire);
      if (!header) return MakeError(ErrorCode::kAuthFailed, "reference: no header key opens it");
      trace["header_key_used"] = "next";
      ATTUNE_RETURN_IF_ERROR(SkipTo(header->pn, trace));
      // First half of DHRatchetHE.
      pn_ = ns_;
      ns_ = 0;
      nr_ = 0;
      hks_ = Copy(nhks_);
      hkr_ = Copy(nhkr_);
      dhr_ = header->dh;
      ATTUNE_ASSIGN_OR_RETURN(auto dh, crypto::X25519(dhs_.private_key.span(), *dhr_));
      RootKdfOutput kdf = KdfRk(rk_.span(), dh.span());
      trace["dh_ratchet_receive"] = Json{{"ratchet_private", HexOf(dhs_.private_key)},
                                         {"remote_ratchet_public", HexOf(*dhr_)},
                                         {"dh_output", HexOf(dh)},
                                         {"root_key_in", HexOf(rk_)},
                                         {"root_key_out", HexOf(kdf.root_key)},
                                         {"receiving_chain_key", HexOf(kdf.chain_key)},
                                         {"next_receiving_header_key", HexOf(kdf.next_header_key)},
                                         {"sending_header_key", HexOf(*hks_)}};
      rk_ = std::move(kdf.root_key);
      ckr_ = std::move(kdf.chain_key);
      nhkr_ = std::move(kdf.next_header_key);
      pending_send_step_ = true;
    }
    trace["header"] =
        Json{{"ratchet_public", HexOf(header->dh)}, {"pn", header->pn}, {"n", header->n}};
    ATTUNE_RETURN_IF_ERROR(SkipTo(header->n, trace));
    ChainKdfOutput ck = KdfCk(ckr_->span());
    trace["chain_key_in"] = HexOf(*ckr_);
    trace["message_key"] = HexOf(ck.message_key);
    mk = std::move(ck.message_key);
    ckr_ = std::move(ck.chain_key);
    ++nr_;
  }
  const MessageAeadKey body_key =
      wire[0] == kRatchetWireVersionV1
          ? DeriveMessageAeadKeyV1(mk.span())
          : DeriveMessageAeadKey(mk.span(), crypto::ConstSpan<24>(wire.data() + 1, 24));
  Bytes body_ad = ad_;
  Append(body_ad, wire.first(kWirePrefixSize));
  ATTUNE_ASSIGN_OR_RETURN(Bytes padded,
                          crypto::XChaChaOpen(body_key.key.span(), body_key.nonce.span(), body_ad,
                                              wire.subspan(kWirePrefixSize)));
  ATTUNE_ASSIGN_OR_RETURN(ByteView plaintext, Unpad(padded));
  trace["plaintext"] = ToHex(plaintext);
  return Bytes(plaintext.begin(), plaintext.end());
}

}  // namespace attune::e2e::vectors
