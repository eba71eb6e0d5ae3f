// Session state persistence (docs/PROTOCOL.md (part ratchet), "State
// serialisation"):
//
//   u32-BE length L || SessionState protobuf (L bytes)
//
// Parsing is strict so that a stored state has exactly one encoding: the
// envelope length must match exactly (truncation and trailing bytes fail even
// at a protobuf field boundary), the version must be known, every key must
// have its exact size, the state must be consistent, and re-serialising the
// restored session must give back exactly the input bytes (so unknown or
// repeated fields and non-canonical encodings fail). Protobuf strings holding secrets are wiped
// before they are freed.
#include <cassert>
#include <cstring>
#include <string>

#include "attune/crypto/util.h"
#include "attune/e2e/first_message.h"
#include "attune/e2e/session.h"
#include "e2e.pb.h"

namespace attune::e2e {
namespace {

constexpr size_t kEnvelopeHeaderSize = 4;
// Generous bound on a stored state: the skipped-key cap dominates (about
// 50 bytes each), far below this.
constexpr size_t kMaxSerializedStateSize = 1 << 20;

using v1::SessionState;

void Wipe(std::string* s) { crypto::SecureZero(s->data(), s->size()); }

// Zeroes every secret-bearing string in the message before its destructor
// frees them.
void WipeState(SessionState* state) {
  Wipe(state->mutable_root_key());
  Wipe(state->mutable_ratchet_private_key());
  Wipe(state->mutable_sending_chain_key());
  Wipe(state->mutable_sending_header_key());
  Wipe(state->mutable_next_sending_header_key());
  Wipe(state->mutable_next_receiving_header_key());
  Wipe(state->mutable_receiving_chain_key());
  for (v1::ReceivingChain& chain : *state->mutable_receiving_chains()) {
    Wipe(chain.mutable_header_key());
    for (v1::SkippedMessageKey& key : *chain.mutable_skipped()) Wipe(key.mutable_message_key());
  }
}

// Owns a SessionState and wipes it on every exit path.
class WipedState {
 public:
  WipedState() = default;
  ~WipedState() { WipeState(&state_); }
  WipedState(const WipedState&) = delete;
  WipedState& operator=(const WipedState&) = delete;
  SessionState* operator->() { return &state_; }
  SessionState& operator*() { return state_; }

 private:
  SessionState state_{};
};

template <size_t N>
void SetKey(std::string* field, const crypto::SecretArray<N>& key) {
  field->assign(reinterpret_cast<const char*>(key.data()), N);
}

Error Invalid(const char* what) { return MakeError(ErrorCode::kInvalidArgument, what); }

// Copies an exactly-32-byte field into key.
bool ReadKey(const std::string& field, RatchetKey* key) {
  if (field.size() != kRatchetKeySize) return false;
  std::memcpy(key->data(), field.data(), kRatchetKeySize);
  return true;
}

// Reads a key that may be absent (empty).
bool ReadOptionalKey(const std::string& field, RatchetKey* key, bool* present) {
  *present = !field.empty();
  return field.empty() || ReadKey(field, key);
}

}  // namespace

Bytes Session::Serialize() const { return SerializeAs(kSessionStateVersion); }

Bytes Session::SerializeAs(uint32_t version) const {
  WipedState state;
  state->set_version(version);
  SetKey(state->mutable_root_key(), root_key_);
  SetKey(state->mutable_ratchet_private_key(), dh_self_.private_key);
  state->set_ratchet_public_key(dh_self_.public_key.data(), dh_self_.public_key.size());
  if (dh_remote_) state->set_remote_ratchet_public_key(dh_remote_->data(), dh_remote_->size());
  if (has_sending_chain_) SetKey(state->mutable_sending_chain_key(), sending_chain_key_);
  if (has_sending_header_key_) SetKey(state->mutable_sending_header_key(), sending_header_key_);
  SetKey(state->mutable_next_sending_header_key(), next_sending_header_key_);
  SetKey(state->mutable_next_receiving_header_key(), next_receiving_header_key_);
  if (has_receiving_chain_) SetKey(state->mutable_receiving_chain_key(), receiving_chain_key_);
  state->set_sending_counter(sending_n_);
  state->set_receiving_counter(receiving_n_);
  state->set_previous_sending_counter(previous_sending_n_);
  state->set_pending_sending_step(pending_sending_step_);
  for (const ReceivingChain& chain : receiving_chains_) {
    v1::ReceivingChain* out = state->add_receiving_chains();
    SetKey(out->mutable_header_key(), chain.header_key);
    for (const SkippedKey& key : chain.skipped) {
      v1::SkippedMessageKey* k = out->add_skipped();
      k->set_n(key.n);
      k->set_skipped_at(key.skipped_at);
      SetKey(k->mutable_message_key(), key.message_key);
    }
  }
  state->set_associated_data(associated_data_.data(), associated_data_.size());
  if (!pending_x3dh_prefix_.empty()) {
    state->set_pending_x3dh_prefix(pending_x3dh_prefix_.data(), pending_x3dh_prefix_.size());
  }

  const size_t size = state->ByteSizeLong();
  assert(size <= kMaxSerializedStateSize);
  Bytes out(kEnvelopeHeaderSize + size);
  out[0] = static_cast<uint8_t>(size >> 24);
  out[1] = static_cast<uint8_t>(size >> 16);
  out[2] = static_cast<uint8_t>(size >> 8);
  out[3] = static_cast<uint8_t>(size);
  // Field order is by number and there are no maps, so this encoding is
  // canonical: Deserialize re-serialises and compares.
  const bool ok = state->SerializeToArray(out.data() + kEnvelopeHeaderSize, static_cast<int>(size));
  assert(ok);
  (void)ok;
  return out;
}

Result<Session> Session::Deserialize(ByteView serialized) {
  if (serialized.size() < kEnvelopeHeaderSize) return Invalid("session state truncated");
  const uint32_t length = ReadU32BE(serialized.data());
  if (length > kMaxSerializedStateSize) return Invalid("session state too large");
  if (serialized.size() != kEnvelopeHeaderSize + length) {
    return Invalid("session state length does not match its envelope");
  }
  const ByteView body = serialized.subspan(kEnvelopeHeaderSize);

  WipedState state;
  if (!state->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Invalid("session state is not a valid protobuf");
  }
  const uint32_t version = state->version();
  if (version != kSessionStateVersion && version != kSessionStateVersionV1) {
    return MakeError(ErrorCode::kUnsupportedVersion, "unknown session state version");
  }
  Session s;
  bool present = false;
  if (!ReadKey(state->root_key(), &s.root_key_)) return Invalid("bad root key");
  if (state->ratchet_private_key().size() != kRatchetKeySize ||
      state->ratchet_public_key().size() != kRatchetPublicKeySize) {
    return Invalid("bad ratchet key pair");
  }
  s.dh_self_ = crypto::X25519KeyPairFromPrivate(crypto::ConstSpan<32>(
      reinterpret_cast<const uint8_t*>(state->ratchet_private_key().data()), 32));
  if (std::memcmp(s.dh_self_.public_key.data(), state->ratchet_public_key().data(), 32) != 0) {
    return Invalid("ratchet public key does not match its private key");
  }
  if (!state->remote_ratchet_public_key().empty()) {
    if (state->remote_ratchet_public_key().size() != kRatchetPublicKeySize) {
      return Invalid("bad remote ratchet key");
    }
    crypto::X25519PublicKey remote;
    std::memcpy(remote.data(), state->remote_ratchet_public_key().data(), remote.size());
    s.dh_remote_ = remote;
  }
  if (!ReadOptionalKey(state->sending_chain_key(), &s.sending_chain_key_, &s.has_sending_chain_) ||
      !ReadOptionalKey(state->sending_header_key(), &s.sending_header_key_,
                       &s.has_sending_header_key_) ||
      !ReadKey(state->next_sending_header_key(), &s.next_sending_header_key_) ||
      !ReadKey(state->next_receiving_header_key(), &s.next_receiving_header_key_) ||
      !ReadOptionalKey(state->receiving_chain_key(), &s.receiving_chain_key_, &present)) {
    return Invalid("bad chain or header key");
  }
  s.has_receiving_chain_ = present;
  s.sending_n_ = state->sending_counter();
  s.receiving_n_ = state->receiving_counter();
  s.previous_sending_n_ = state->previous_sending_counter();
  s.pending_sending_step_ = state->pending_sending_step();

  if (static_cast<size_t>(state->receiving_chains_size()) > kMaxReceivingChains) {
    return Invalid("too many receiving chains");
  }
  size_t total_skipped = 0;
  for (const v1::ReceivingChain& chain : state->receiving_chains()) {
    ReceivingChain c;
    if (!ReadKey(chain.header_key(), &c.header_key)) return Invalid("bad header key");
    total_skipped += static_cast<size_t>(chain.skipped_size());
    if (total_skipped > kMaxStoredSkippedKeys) return Invalid("too many skipped keys");
    c.skipped.reserve(static_cast<size_t>(chain.skipped_size()));
    for (const v1::SkippedMessageKey& key : chain.skipped()) {
      if (!c.skipped.empty() && key.n() <= c.skipped.back().n) {
        return Invalid("skipped keys out of order");
      }
      SkippedKey k;
      k.n = key.n();
      k.skipped_at = key.skipped_at();
      if (!ReadKey(key.message_key(), &k.message_key)) return Invalid("bad skipped key");
      c.skipped.push_back(std::move(k));
    }
    s.receiving_chains_.push_back(std::move(c));
  }
  if (state->associated_data().empty() ||
      state->associated_data().size() > kMaxAssociatedDataSize) {
    return Invalid("associated data empty or too long");
  }
  s.associated_data_.assign(state->associated_data().begin(), state->associated_data().end());
  // Version 1 has no prefix field.
  if (version == kSessionStateVersionV1 && !state->pending_x3dh_prefix().empty()) {
    return Invalid("version 1 session state with an X3DH prefix");
  }
  if (state->pending_x3dh_prefix().size() > kMaxX3dhPrefixSize) {
    return Invalid("X3DH prefix too long");
  }
  s.pending_x3dh_prefix_.assign(state->pending_x3dh_prefix().begin(),
                                state->pending_x3dh_prefix().end());

  // The invariants Encrypt and Decrypt rely on.
  const bool consistent =
      (!s.has_receiving_chain_ || (s.dh_remote_ && !s.receiving_chains_.empty())) &&
      (s.has_receiving_chain_ || s.receiving_n_ == 0) &&
      (!s.has_sending_chain_ || (s.has_sending_header_key_ && s.dh_remote_)) &&
      (!s.pending_sending_step_ ||
       (!s.has_sending_chain_ && s.has_sending_header_key_ && s.dh_remote_ && s.sending_n_ == 0)) &&
      (s.has_sending_chain_ || s.sending_n_ == 0) &&
      (s.pending_x3dh_prefix_.empty() || s.receiving_chains_.empty());
  if (!consistent) return Invalid("inconsistent session state");

  s.body_ad_scratch_ = s.associated_data_;
  s.body_ad_scratch_.resize(s.associated_data_.size() + kWirePrefixSize);

  // Canonical encoding: Serialize() writes only known fields, in field
  // order, without defaults, so unknown fields (lite protobuf keeps them),
  // duplicated or reordered fields and over-long varints all fail here.
  Bytes again = s.SerializeAs(version);
  const bool canonical = crypto::ConstantTimeEqual(again, serialized);
  crypto::SecureZero(again.data(), again.size());
  if (!canonical) return Invalid("session state is not in canonical form");
  return s;
}

}  // namespace attune::e2e
