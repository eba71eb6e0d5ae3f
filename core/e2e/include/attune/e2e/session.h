// A Double Ratchet session with header encryption (Signal Double Ratchet
// spec, section 4; byte-exact description in docs/PROTOCOL.md (part ratchet)).
//
// Sans-IO: randomness and time are passed in. Not thread-safe: one Session is
// used by one thread at a time. Move-only; the state is secret and wiped when
// destroyed.
//
// Every call either succeeds and commits a new state or fails and leaves the
// state byte-for-byte unchanged (Serialize() gives the same bytes): work is
// done on scratch values and committed last (olm's Ratchet::decrypt).
//
// Persistence contract: the caller stores Serialize() together with the
// outgoing message (after Encrypt) or the received plaintext (after Decrypt)
// in one transaction, so a crash never reuses a message key or loses one.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"
#include "attune/crypto/x25519.h"
#include "attune/e2e/constants.h"
#include "attune/e2e/ratchet.h"

namespace attune::e2e {

struct RatchetHeader;

class Session {
 public:
  // RatchetInitAliceHE: the initiator (the side that ran X3DH first) knows
  // the responder's ratchet public key (its signed prekey) and can send at
  // once. Fails with kCryptoFailed when responder_ratchet_public is a
  // low-order point, kInvalidArgument when associated_data is empty or longer
  // than kMaxAssociatedDataSize.
  static Result<Session> InitInitiator(RatchetInit init,
                                       const crypto::X25519PublicKey& responder_ratchet_public,
                                       crypto::RandomSource& rng);
  // RatchetInitBobHE: the responder owns the ratchet key pair (its signed
  // prekey). It cannot send until it has decrypted the initiator's first
  // message. Precondition (asserted): associated_data is not empty and at
  // most kMaxAssociatedDataSize bytes; the X3DH layer builds it from two
  // identity records, so only a programming error can break it.
  static Session InitResponder(RatchetInit init, crypto::X25519KeyPair responder_ratchet_keypair);

  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  // Pads and encrypts one message; returns the wire message
  // (ratchet_message.h), preceded by the pending X3DH prefix if there is one
  // (then the result is a version 2 first message, first_message.h). Uses rng for the header nonce
  // and, on the first send after a received DH ratchet step, for the new ratchet key pair. Errors
  // (state unchanged):
  //   kLimitExceeded    plaintext longer than kMaxPlaintextSize, or the
  //                     sending chain reached 2^32-1 messages
  //   kInvalidArgument  no sending chain yet (a responder that has not
  //                     received the first message)
  //   kCryptoFailed     the peer's ratchet key is a low-order point
  Result<Bytes> Encrypt(ByteView plaintext, crypto::RandomSource& rng);

  // Authenticates and decrypts a wire message; returns the plaintext (padding
  // removed). now_unix stamps newly skipped keys and expires old ones
  // (kSkippedKeyLifetimeSeconds). Errors (state unchanged):
  //   kDuplicate          the header decrypts under a known receiving header
  //                       key but its message key is no longer held: the
  //                       message was already decrypted (re-delivery), or —
  //                       rarely — its skipped key was evicted by the cap or
  //                       dropped after expiring
  //   kExpired            its skipped key is older than the lifetime
  //   kLimitExceeded      it would skip more than kMaxSkip keys in a chain
  //   kAuthFailed         no header key opens the header, the body does not
  //                       verify (tampering, another conversation, our own
  //                       message reflected back), or the peer broke the
  //                       protocol (wrong ratchet key under a header key, a
  //                       second DH step before we answered)
  //   kCryptoFailed       the peer's new ratchet key is a low-order point
  //   kInvalidArgument    malformed size or layout, or bad padding
  //   kUnsupportedVersion another wire version
  Result<Bytes> Decrypt(ByteView message, uint64_t now_unix);

  // Initiator only (AcceptInvitation sets it): every Encrypt prepends
  // `prefix` until a message from the peer decrypts, so the peer can set up
  // the session from any of them, whichever arrive (Signal's "unacknowledged
  // pre-key message"). kInvalidArgument when prefix is longer than
  // kMaxX3dhPrefixSize (first_message.h) or the session has already
  // received a message.
  Status RepeatX3dhPrefix(ByteView prefix);
  // The prefix still being repeated (empty once the peer has replied).
  ByteView pending_x3dh_prefix() const { return pending_x3dh_prefix_; }

  // Versioned protobuf (proto/e2e.proto SessionState) inside a 4-byte
  // big-endian length envelope (docs/PROTOCOL.md (part ratchet), "State serialisation"). The
  // bytes contain every secret of the session: they are for the encrypted
  // store only. The caller wipes them (crypto::SecureZero) when done.
  Bytes Serialize() const;
  // Strict inverse of Serialize(). Errors: kUnsupportedVersion for another
  // state version; kInvalidArgument for trailing bytes, truncation, unknown
  // fields, a non-canonical encoding, wrong key sizes or inconsistent state.
  static Result<Session> Deserialize(ByteView serialized);

  // Binds both identities, initiator first (from RatchetInit).
  ByteView associated_data() const { return associated_data_; }
  // False only for a responder before the first message arrived.
  bool can_send() const { return has_sending_chain_ || pending_sending_step_; }
  // Our current ratchet public key (the one the next Encrypt announces,
  // unless a new one is pending).
  const crypto::X25519PublicKey& ratchet_public_key() const { return dh_self_.public_key; }
  size_t stored_skipped_keys() const;
  size_t receiving_chain_count() const { return receiving_chains_.size(); }

 private:
  struct SkippedKey {
    uint32_t n = 0;
    uint64_t skipped_at = 0;  // now_unix when it was skipped
    RatchetKey message_key{};
  };
  // A receiving chain's header key and its skipped message keys (ascending
  // n, which is also the order they were stored).
  struct ReceivingChain {
    RatchetKey header_key{};
    std::vector<SkippedKey> skipped{};
  };
  struct DecryptPlan;

  Session() = default;

  // Decrypt's steps, each const: they compute a DecryptPlan (new keys and
  // skipped keys) that Commit applies only after the body authenticated.
  Result<DecryptPlan> PlanCurrentChain(const RatchetHeader& header, uint64_t now_unix) const;
  Result<DecryptPlan> PlanNewChain(const RatchetHeader& header, uint64_t now_unix) const;
  Result<DecryptPlan> PlanSkipped(size_t chain_index, const RatchetHeader& header,
                                  uint64_t now_unix) const;
  void Commit(DecryptPlan& plan, uint64_t now_unix);
  // SkipMessageKeysHE for one chain: appends the keys for numbers
  // [from, until) to out and returns the chain key at `until`.
  static RatchetKey SkipKeys(const RatchetKey& chain_key, uint32_t from, uint32_t until,
                             uint64_t now_unix, std::vector<SkippedKey>* out);
  void DropExpiredAndEvict(uint64_t now_unix);
  Bytes SerializeAs(uint32_t version) const;
  // AD || wire prefix, in body_ad_scratch_.
  ByteView BodyAd(ByteView wire_prefix);

  // Signal's state, section 4 names in comments.
  RatchetKey root_key_{};                               // RK
  crypto::X25519KeyPair dh_self_{};                     // DHs
  std::optional<crypto::X25519PublicKey> dh_remote_{};  // DHr
  bool has_sending_chain_ = false;                      // CKs != None
  RatchetKey sending_chain_key_{};                      // CKs
  bool has_sending_header_key_ = false;                 // HKs != None
  RatchetKey sending_header_key_{};                     // HKs
  RatchetKey next_sending_header_key_{};                // NHKs
  RatchetKey next_receiving_header_key_{};              // NHKr
  bool has_receiving_chain_ = false;                    // CKr != None (then HKr = back())
  RatchetKey receiving_chain_key_{};                    // CKr
  uint32_t sending_n_ = 0;                              // Ns
  uint32_t receiving_n_ = 0;                            // Nr
  uint32_t previous_sending_n_ = 0;                     // PN
  // Set by a received DH ratchet step: the second half of DHRatchetHE (new
  // DHs, CKs, NHKs) runs at the next Encrypt, which has the rng.
  bool pending_sending_step_ = false;
  // Oldest first; when has_receiving_chain_, back() is the current chain and
  // its header key is HKr. Older entries keep MKSKIPPED and retired HKr.
  std::deque<ReceivingChain> receiving_chains_{};
  Bytes associated_data_{};
  // Initiator's X3DH prefix, repeated until the peer replies.
  Bytes pending_x3dh_prefix_{};

  // Not state: reusable buffer for AD || wire prefix (avoids an allocation
  // per message).
  Bytes body_ad_scratch_{};
};

}  // namespace attune::e2e
