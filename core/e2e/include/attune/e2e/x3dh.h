// X3DH-style session set-up from a one-time invitation (Signal X3DH with
// X25519 identity agreement keys; docs/PROTOCOL.md, "X3DH").
//
// A = the accepting side (initiator, usually the client), B = the inviter.
//   DH1 = X25519(IK_A, SPK_B)   DH2 = X25519(EK_A, IK_B)
//   DH3 = X25519(EK_A, SPK_B)   DH4 = X25519(EK_A, OPK_B)
//   OKM = HKDF-SHA-256(salt = 32 zero bytes, IKM = 32 x 0xFF || DH1 || DH2 ||
//                      DH3 || DH4, info = kX3dhInfoLabel), 96 bytes
//   root key = OKM[0, 32), shared_hka = OKM[32, 64), shared_nhkb = OKM[64, 96)
//   AD = kX3dhAdLabel || key bytes of A (80) || key bytes of B (80)
// A starts its ratchet with SPK_B as B's ratchet key and sends its first
// message at once; B starts its ratchet with the SPK key pair.
//
// Sans-IO: time and randomness are arguments. Both calls are pure with
// respect to their inputs: nothing passed in is modified, and on error no
// output exists.
#pragma once

#include <cstdint>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"
#include "attune/e2e/identity.h"
#include "attune/e2e/invitation.h"
#include "attune/e2e/ratchet.h"
#include "attune/e2e/session.h"

namespace attune::e2e {

inline constexpr std::string_view kX3dhInfoLabel = "attune-e2e/v1/x3dh";
inline constexpr std::string_view kX3dhAdLabel = "attune-e2e/v1/ad";
inline constexpr size_t kX3dhAdSize = kX3dhAdLabel.size() + 2 * kIdentityKeyBytesSize;

// The X3DH KDF and AD (above), for both sides and the test vectors.
RatchetInit DeriveX3dh(crypto::ConstSpan<32> dh1, crypto::ConstSpan<32> dh2,
                       crypto::ConstSpan<32> dh3, crypto::ConstSpan<32> dh4,
                       const PublicIdentity& initiator, const PublicIdentity& responder);

// Every intermediate value of one side's X3DH, for test vectors only:
// production callers pass nullptr. Holds secrets.
struct X3dhTrace {
  crypto::SecretArray<32> ephemeral_private{};  // initiator side only
  crypto::SecretArray<32> dh1, dh2, dh3, dh4;
  crypto::SecretArray<32> root_key, shared_hka, shared_nhkb;
  crypto::SecretArray<32> seal_key{};
  crypto::SecretArray<24> seal_nonce{};
  crypto::SecretArray<32> introduction_key{};
  crypto::SecretArray<24> introduction_nonce{};
  Bytes associated_data{};
};

// --- Initiator (accepting side) -------------------------------------------

struct AcceptedInvitation {
  Session session;        // ready to send more and to receive the reply;
                          // repeats the X3DH prefix until the reply arrives
  Bytes first_message{};  // send to the inviter via invitation.routing_blob()
};

// Accepts `invitation`: seals `introduction` (what the inviter needs to
// create the contact, e.g. the client's ContactHello) into the X3DH prefix
// and encrypts `first_plaintext` (may be empty) as the first message, a
// version 2 first message (first_message.h). Every later Encrypt of the
// returned session carries the same prefix until a message from the inviter
// decrypts, so the inviter can start from whichever message arrives first.
// Draws 32 bytes EK_A private first, then whatever Session::InitInitiator and
// Session::Encrypt draw. If expected_inviter is given (the inviter is already
// a known contact) its record must equal the invitation's. Errors:
//   kExpired            now_unix > invitation.expires_at()
//   kIdentityChanged    expected_inviter given and different
//   kInvalidArgument    the invitation is our own
//   kLimitExceeded      first_plaintext longer than kMaxPlaintextSize, or
//                       introduction longer than kMaxIntroductionSize
Result<AcceptedInvitation> AcceptInvitation(const Identity& self,
                                            const ValidatedInvitation& invitation,
                                            ByteView introduction, ByteView first_plaintext,
                                            uint64_t now_unix, crypto::RandomSource& random,
                                            const PublicIdentity* expected_inviter = nullptr,
                                            X3dhTrace* trace = nullptr);

// --- Responder (inviter) --------------------------------------------------

struct ProcessedFirstMessage {
  Session session;            // the new conversation
  Bytes plaintext{};          // this message's content (v1: the introduction)
  Bytes introduction{};       // v2: the opened introduction; v1: empty
  PublicIdentity peer;        // the initiator, verified
  InvitationSecrets secrets;  // consumed: store it in place of the old one,
                              // in the same transaction as the session
};

// Runs B's side for a first message addressed to `secrets` (find them with
// FirstMessageView::Parse(bytes)->invitation_id()). Version 2 messages may
// carry any message number of the initiator's first chain (earlier ones
// were lost or are late): their keys are kept as skipped keys. Checks run
// cheapest first, and on every error `secrets` stays valid and unchanged —
// nothing is consumed. Errors:
//   kInvalidArgument / kUnsupportedVersion  malformed message, or its
//                       invitation id is not secrets.id()
//   kDuplicate          secrets already consumed by this very message (v1,
//                       an at-least-once redelivery) or by this X3DH (v2, same
//                       prefix): the session exists; a v2 message's content
//                       is read with DecryptOnSession
//   kAlreadyExists      secrets already consumed by a different first message
//                       (the invitation or its one-time prekey was reused)
//   kExpired            now_unix > secrets.expires_at()
//   kCryptoFailed       EK_A or the initiator's X25519 key is non-canonical or
//                       of small order
//   kAuthFailed         the sealed identity, the introduction or the ratchet
//                       message does not authenticate, or the identity's
//                       signature is bad
//   kIdentityChanged    expected_initiator given and the message comes from a
//                       different identity (never a silent new session)
//   kInvalidArgument    the initiator claims our own identity
//   plus any error of Session::Decrypt.
Result<ProcessedFirstMessage> ProcessFirstMessage(
    const Identity& self, const InvitationSecrets& secrets, ByteView first_message,
    uint64_t now_unix, const PublicIdentity* expected_initiator = nullptr,
    X3dhTrace* trace = nullptr);

// A version 2 first message for a session that ProcessFirstMessage already
// created from `consumed` (the secrets it returned): the initiator is
// repeating its X3DH prefix because it has not heard from us yet. The
// prefix must be the one that consumed the invitation (constant-time
// comparison of its hash); then the ratchet message is decrypted on
// `session`. Errors (session unchanged):
//   kInvalidArgument / kUnsupportedVersion  malformed, or for another
//                       invitation, or `consumed` is not consumed
//   kDuplicate          a v1 first message that consumed it (redelivery)
//   kAlreadyExists      another X3DH (a different prefix): a new session
//                       attempt on a used invitation, never a second session
//   plus any error of Session::Decrypt (kDuplicate for a message already read).
Result<Bytes> DecryptOnSession(Session& session, const InvitationSecrets& consumed,
                               ByteView first_message, uint64_t now_unix);

}  // namespace attune::e2e
