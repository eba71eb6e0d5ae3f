// Receiving (RatchetDecryptHE, Signal Double Ratchet spec section 4) with
// verify-first, commit-last discipline: every step up to the body's AEAD
// check is const and builds a DecryptPlan; only Commit() writes state.
//
// Order of header trials (each an XChaCha20-Poly1305 open of 56 bytes):
//   1. HKr: the common case, a message in the current receiving chain (and
//      skipped keys of that chain, found by number).
//   2. NHKr: the peer performed a DH ratchet step.
//   3. retired receiving header keys, newest first: skipped keys of earlier
//      chains (TrySkippedMessageKeysHE), or a re-delivered old message.
// The spec tries MKSKIPPED first; the outcome is the same because header
// keys are distinct, and the common case costs one trial instead of many.
#include <algorithm>
#include <cassert>
#include <cstring>
#include <optional>

#include "attune/crypto/aead.h"
#include "attune/e2e/ratchet_message.h"
#include "attune/e2e/session.h"

namespace attune::e2e {

struct Session::DecryptPlan {
  enum class Kind {
    kSkipped,       // use and remove receiving_chains_[chain_index].skipped[skipped_index]
    kCurrentChain,  // advance CKr, store skipped keys of the current chain
    kNewChain,      // DH ratchet step (first half of DHRatchetHE)
  };
  Kind kind = Kind::kSkipped;
  RatchetKey message_key{};
  // kSkipped
  size_t chain_index = 0;
  size_t skipped_index = 0;
  // kCurrentChain, kNewChain: the receiving chain after this message.
  RatchetKey receiving_chain_key{};
  uint32_t receiving_n = 0;
  std::vector<SkippedKey> skipped{};  // new skipped keys in that chain
  // kNewChain
  std::vector<SkippedKey> old_chain_skipped{};  // rest of the previous chain, up to PN
  crypto::X25519PublicKey dh_remote{};
  RatchetKey root_key{};
  RatchetKey next_receiving_header_key{};
};

namespace {

bool IsExpired(uint64_t skipped_at, uint64_t now_unix) {
  // A clock that went backwards never expires a key early.
  return now_unix >= skipped_at && now_unix - skipped_at >= kSkippedKeyLifetimeSeconds;
}

// HDECRYPT: the header if `header_key` opens the encrypted header.
std::optional<RatchetHeader> TryOpenHeader(const RatchetKey& header_key,
                                           const RatchetMessageView& message) {
  uint8_t buffer[kHeaderSize + kAeadTagSize];
  std::memcpy(buffer, message.encrypted_header().data(), sizeof(buffer));
  if (!crypto::XChaChaOpenInPlace(header_key.span(), message.header_nonce(), message.version_byte(),
                                  MutableByteView(buffer))
           .ok()) {
    return std::nullopt;
  }
  return RatchetHeader::Decode(crypto::ConstSpan<kHeaderSize>(buffer, kHeaderSize));
}

Error Duplicate() {
  return MakeError(ErrorCode::kDuplicate, "message key already used (re-delivered message)");
}

}  // namespace

RatchetKey Session::SkipKeys(const RatchetKey& chain_key, uint32_t from, uint32_t until,
                             uint64_t now_unix, std::vector<SkippedKey>* out) {
  RatchetKey ck = chain_key.Clone();
  if (until > from) out->reserve(out->size() + (until - from));
  for (uint32_t i = from; i < until; ++i) {
    ChainKdfOutput next = KdfCk(ck.span());
    out->push_back(SkippedKey{i, now_unix, std::move(next.message_key)});
    ck = std::move(next.chain_key);
  }
  return ck;
}

Result<Session::DecryptPlan> Session::PlanSkipped(size_t chain_index, const RatchetHeader& header,
                                                  uint64_t now_unix) const {
  const std::vector<SkippedKey>& skipped = receiving_chains_[chain_index].skipped;
  auto it = std::lower_bound(skipped.begin(), skipped.end(), header.n,
                             [](const SkippedKey& k, uint32_t n) { return k.n < n; });
  if (it == skipped.end() || it->n != header.n) return Duplicate();
  if (IsExpired(it->skipped_at, now_unix)) {
    return MakeError(ErrorCode::kExpired, "skipped message key expired");
  }
  DecryptPlan plan;
  plan.kind = DecryptPlan::Kind::kSkipped;
  plan.chain_index = chain_index;
  plan.skipped_index = static_cast<size_t>(it - skipped.begin());
  plan.message_key = it->message_key.Clone();
  return plan;
}

Result<Session::DecryptPlan> Session::PlanCurrentChain(const RatchetHeader& header,
                                                       uint64_t now_unix) const {
  // Authentic under HKr, so the peer sent it in this chain: its key must be
  // the one the chain was derived from.
  if (header.dh != *dh_remote_) {
    return MakeError(ErrorCode::kAuthFailed, "ratchet key differs from the chain's");
  }
  if (header.n < receiving_n_) {
    return PlanSkipped(receiving_chains_.size() - 1, header, now_unix);
  }
  if (header.n - receiving_n_ > kMaxSkip) {
    return MakeError(ErrorCode::kLimitExceeded, "message skips more than kMaxSkip keys");
  }
  DecryptPlan plan;
  plan.kind = DecryptPlan::Kind::kCurrentChain;
  RatchetKey ck = SkipKeys(receiving_chain_key_, receiving_n_, header.n, now_unix, &plan.skipped);
  ChainKdfOutput next = KdfCk(ck.span());
  plan.message_key = std::move(next.message_key);
  plan.receiving_chain_key = std::move(next.chain_key);
  plan.receiving_n = header.n + 1;
  return plan;
}

Result<Session::DecryptPlan> Session::PlanNewChain(const RatchetHeader& header,
                                                   uint64_t now_unix) const {
  // We defer our own new ratchet key to the next Encrypt, so an honest peer
  // cannot start another chain before hearing from us: it has not seen a
  // new key of ours to ratchet against.
  if (pending_sending_step_) {
    return MakeError(ErrorCode::kAuthFailed, "peer started two chains without a reply");
  }
  // Cheap bounds before the DH.
  if (has_receiving_chain_ && header.pn > receiving_n_ && header.pn - receiving_n_ > kMaxSkip) {
    return MakeError(ErrorCode::kLimitExceeded, "previous chain skips more than kMaxSkip keys");
  }
  if (header.n > kMaxSkip) {
    return MakeError(ErrorCode::kLimitExceeded, "message skips more than kMaxSkip keys");
  }
  DecryptPlan plan;
  plan.kind = DecryptPlan::Kind::kNewChain;
  // SkipMessageKeysHE(state, header.pn) in the chain being retired.
  if (has_receiving_chain_) {
    SkipKeys(receiving_chain_key_, receiving_n_, header.pn, now_unix, &plan.old_chain_skipped);
  }
  // RK, CKr, NHKr = KDF_RK(RK, DH(DHs, DHr))
  ATTUNE_ASSIGN_OR_RETURN(const RatchetKey dh_out,
                          crypto::X25519(dh_self_.private_key.span(), header.dh));
  RootKdfOutput root = KdfRk(root_key_.span(), dh_out.span());
  plan.dh_remote = header.dh;
  plan.root_key = std::move(root.root_key);
  plan.next_receiving_header_key = std::move(root.next_header_key);
  // SkipMessageKeysHE(state, header.n) in the new chain, then KDF_CK.
  RatchetKey ck = SkipKeys(root.chain_key, 0, header.n, now_unix, &plan.skipped);
  ChainKdfOutput next = KdfCk(ck.span());
  plan.message_key = std::move(next.message_key);
  plan.receiving_chain_key = std::move(next.chain_key);
  plan.receiving_n = header.n + 1;
  return plan;
}

Result<Bytes> Session::Decrypt(ByteView message, uint64_t now_unix) {
  ATTUNE_ASSIGN_OR_RETURN(const RatchetMessageView view, RatchetMessageView::Parse(message));

  std::optional<Result<DecryptPlan>> planned;
  if (has_receiving_chain_) {
    if (auto header = TryOpenHeader(receiving_chains_.back().header_key, view)) {
      planned.emplace(PlanCurrentChain(*header, now_unix));
    }
  }
  if (!planned) {
    if (auto header = TryOpenHeader(next_receiving_header_key_, view)) {
      planned.emplace(PlanNewChain(*header, now_unix));
    }
  }
  if (!planned) {
    const size_t retired = receiving_chains_.size() - (has_receiving_chain_ ? 1 : 0);
    for (size_t i = retired; i-- > 0;) {
      if (auto header = TryOpenHeader(receiving_chains_[i].header_key, view)) {
        planned.emplace(PlanSkipped(i, *header, now_unix));
        break;
      }
    }
  }
  if (!planned) {
    return MakeError(ErrorCode::kAuthFailed, "no receiving header key opens the header");
  }
  if (!planned->ok()) return planned->error();
  DecryptPlan plan = std::move(*planned).value();

  // DECRYPT(mk, ciphertext, AD || enc_header), in place in the output. The
  // version byte is authenticated twice (header AD and body AD), so it cannot
  // be switched to pick the other derivation.
  const MessageAeadKey body_key =
      view.version_byte()[0] == kRatchetWireVersionV1
          ? DeriveMessageAeadKeyV1(plan.message_key.span())
          : DeriveMessageAeadKey(plan.message_key.span(), view.header_nonce());
  const ByteView encrypted_body = view.encrypted_body();
  Bytes out(encrypted_body.begin(), encrypted_body.end());
  ATTUNE_RETURN_IF_ERROR(crypto::XChaChaOpenInPlace(body_key.key.span(), body_key.nonce.span(),
                                                    BodyAd(view.prefix()), MutableByteView(out)));
  const auto plaintext = Unpad(ByteView(out).first(out.size() - kAeadTagSize));
  if (!plaintext.ok()) return plaintext.error();
  const size_t offset = static_cast<size_t>(plaintext->data() - out.data());
  const size_t size = plaintext->size();
  std::memmove(out.data(), out.data() + offset, size);
  out.resize(size);

  Commit(plan, now_unix);
  // The peer has answered, so it has the session: stop repeating X3DH.
  pending_x3dh_prefix_.clear();
  return out;
}

void Session::Commit(DecryptPlan& plan, uint64_t now_unix) {
  switch (plan.kind) {
    case DecryptPlan::Kind::kSkipped: {
      std::vector<SkippedKey>& skipped = receiving_chains_[plan.chain_index].skipped;
      skipped.erase(skipped.begin() + static_cast<std::ptrdiff_t>(plan.skipped_index));
      break;
    }
    case DecryptPlan::Kind::kCurrentChain: {
      std::vector<SkippedKey>& skipped = receiving_chains_.back().skipped;
      for (SkippedKey& k : plan.skipped) skipped.push_back(std::move(k));
      receiving_chain_key_ = std::move(plan.receiving_chain_key);
      receiving_n_ = plan.receiving_n;
      break;
    }
    case DecryptPlan::Kind::kNewChain: {
      if (has_receiving_chain_) {
        std::vector<SkippedKey>& skipped = receiving_chains_.back().skipped;
        for (SkippedKey& k : plan.old_chain_skipped) skipped.push_back(std::move(k));
      }
      // DHRatchetHE, first half: PN = Ns; Ns = 0; Nr = 0; HKs = NHKs;
      // HKr = NHKr; DHr = header.dh; RK, CKr, NHKr = KDF_RK(...).
      previous_sending_n_ = sending_n_;
      sending_n_ = 0;
      sending_header_key_ = next_sending_header_key_.Clone();
      has_sending_header_key_ = true;
      // The old sending chain is finished; the new one comes with our next
      // ratchet key at the next Encrypt.
      sending_chain_key_ = RatchetKey();
      has_sending_chain_ = false;
      pending_sending_step_ = true;
      receiving_chains_.push_back(
          ReceivingChain{std::move(next_receiving_header_key_), std::move(plan.skipped)});
      next_receiving_header_key_ = std::move(plan.next_receiving_header_key);
      root_key_ = std::move(plan.root_key);
      dh_remote_ = plan.dh_remote;
      receiving_chain_key_ = std::move(plan.receiving_chain_key);
      has_receiving_chain_ = true;
      receiving_n_ = plan.receiving_n;
      break;
    }
  }
  DropExpiredAndEvict(now_unix);
}

void Session::DropExpiredAndEvict(uint64_t now_unix) {
  size_t total = 0;
  for (ReceivingChain& chain : receiving_chains_) {
    std::erase_if(chain.skipped,
                  [now_unix](const SkippedKey& k) { return IsExpired(k.skipped_at, now_unix); });
    total += chain.skipped.size();
  }
  // Global cap: evict the oldest. Chains are stored oldest first and each
  // chain's keys in the order they were skipped, so the front is oldest.
  for (ReceivingChain& chain : receiving_chains_) {
    if (total <= kMaxStoredSkippedKeys) break;
    const size_t drop = std::min(chain.skipped.size(), total - kMaxStoredSkippedKeys);
    chain.skipped.erase(chain.skipped.begin(),
                        chain.skipped.begin() + static_cast<std::ptrdiff_t>(drop));
    total -= drop;
  }
  // Forget the oldest chains (with any skipped keys left in them). The
  // current chain is the newest, so it is never dropped.
  while (receiving_chains_.size() > kMaxReceivingChains) receiving_chains_.pop_front();
}

}  // namespace attune::e2e
