#include "attune/e2e/x3dh.h"

#include <cassert>
#include <cstring>

#include "attune/crypto/aead.h"
#include "attune/crypto/hkdf.h"
#include "attune/crypto/util.h"
#include "attune/crypto/x25519.h"
#include "attune/e2e/first_message.h"

namespace attune::e2e {
namespace {

void CopyInto(crypto::SecretArray<32>& out, crypto::ConstSpan<32> in) {
  std::memcpy(out.data(), in.data(), 32);
}

void TraceKeys(X3dhTrace* trace, const crypto::SecretArray<32>& dh1,
               const crypto::SecretArray<32>& dh2, const crypto::SecretArray<32>& dh3,
               const crypto::SecretArray<32>& dh4, const RatchetInit& init,
               const IdentitySealKey& seal) {
  if (trace == nullptr) return;
  CopyInto(trace->dh1, dh1.span());
  CopyInto(trace->dh2, dh2.span());
  CopyInto(trace->dh3, dh3.span());
  CopyInto(trace->dh4, dh4.span());
  CopyInto(trace->root_key, init.root_key.span());
  CopyInto(trace->shared_hka, init.shared_hka.span());
  CopyInto(trace->shared_nhkb, init.shared_nhkb.span());
  CopyInto(trace->seal_key, seal.key.span());
  trace->seal_nonce = seal.nonce.Clone();
  trace->associated_data = init.associated_data;
}

// Same person-level key: another device id does not make it someone else.
bool SameSigningKey(const PublicIdentity& a, const PublicIdentity& b) {
  return std::memcmp(a.signing_key().data(), b.signing_key().data(), 32) == 0;
}

}  // namespace

RatchetInit DeriveX3dh(crypto::ConstSpan<32> dh1, crypto::ConstSpan<32> dh2,
                       crypto::ConstSpan<32> dh3, crypto::ConstSpan<32> dh4,
                       const PublicIdentity& initiator, const PublicIdentity& responder) {
  // IKM = F || DH1 || DH2 || DH3 || DH4, F = 32 0xFF bytes (X3DH section 2.2:
  // keeps the input distinct from any XEdDSA-related use of the same keys).
  crypto::SecretArray<32 * 5> ikm;
  std::memset(ikm.data(), 0xff, 32);
  std::memcpy(ikm.data() + 32, dh1.data(), 32);
  std::memcpy(ikm.data() + 64, dh2.data(), 32);
  std::memcpy(ikm.data() + 96, dh3.data(), 32);
  std::memcpy(ikm.data() + 128, dh4.data(), 32);
  const ByteArray<32> salt{};  // HashLen zero bytes, as X3DH specifies
  crypto::SecretArray<96> okm;
  const Status status = crypto::Hkdf(crypto::HkdfHash::kSha256, salt, ikm.view(),
                                     AsBytes(kX3dhInfoLabel), okm.mutable_span());
  assert(status.ok());  // 96 <= 255 * 32
  (void)status;

  RatchetInit init;
  std::memcpy(init.root_key.data(), okm.data(), 32);
  std::memcpy(init.shared_hka.data(), okm.data() + 32, 32);
  std::memcpy(init.shared_nhkb.data(), okm.data() + 64, 32);
  init.associated_data.reserve(kX3dhAdSize);
  Append(init.associated_data, kX3dhAdLabel);
  Append(init.associated_data, initiator.key_bytes());
  Append(init.associated_data, responder.key_bytes());
  return init;
}

Result<AcceptedInvitation> AcceptInvitation(const Identity& self,
                                            const ValidatedInvitation& invitation,
                                            ByteView introduction, ByteView first_plaintext,
                                            uint64_t now_unix, crypto::RandomSource& random,
                                            const PublicIdentity* expected_inviter,
                                            X3dhTrace* trace) {
  if (now_unix > invitation.expires_at()) {
    return MakeError(ErrorCode::kExpired, "invitation has expired");
  }
  if (expected_inviter != nullptr && !(*expected_inviter == invitation.inviter())) {
    return MakeError(ErrorCode::kIdentityChanged,
                     "the invitation comes from a different identity than the known contact");
  }
  if (SameSigningKey(invitation.inviter(), self.public_identity())) {
    return MakeError(ErrorCode::kInvalidArgument, "cannot accept our own invitation");
  }
  if (first_plaintext.size() > kMaxPlaintextSize) {
    return MakeError(ErrorCode::kLimitExceeded, "first message is too long");
  }
  if (introduction.size() > kMaxIntroductionSize) {
    return MakeError(ErrorCode::kLimitExceeded, "introduction is too long");
  }

  const crypto::X25519KeyPair ephemeral = crypto::GenerateX25519KeyPair(random);
  const PublicIdentity& inviter = invitation.inviter();
  // The invitation's keys were validated when it was parsed, so these DHs
  // cannot hit a small-order point; errors still propagate.
  ATTUNE_ASSIGN_OR_RETURN(auto dh1, self.Agree(invitation.signed_prekey()));
  ATTUNE_ASSIGN_OR_RETURN(auto dh2,
                          crypto::X25519(ephemeral.private_key.span(), inviter.agreement_key()));
  ATTUNE_ASSIGN_OR_RETURN(auto dh3,
                          crypto::X25519(ephemeral.private_key.span(), invitation.signed_prekey()));
  ATTUNE_ASSIGN_OR_RETURN(
      auto dh4, crypto::X25519(ephemeral.private_key.span(), invitation.one_time_prekey()));

  RatchetInit init =
      DeriveX3dh(dh1.span(), dh2.span(), dh3.span(), dh4.span(), self.public_identity(), inviter);

  Bytes prefix;
  prefix.reserve(kIntroductionAdSize + introduction.size() + crypto::kAeadTagSize);
  prefix.push_back(kFirstMessageTypeV2);
  Append(prefix, invitation.id());
  Append(prefix, ephemeral.public_key);
  const IdentitySealKey seal = DeriveIdentitySealKey(dh3.span(), prefix);
  const Bytes sealed = crypto::XChaChaSeal(seal.key.span(), seal.nonce.span(), prefix,
                                           self.public_identity().record());
  Append(prefix, sealed);
  AppendU16BE(prefix, static_cast<uint16_t>(introduction.size() + crypto::kAeadTagSize));
  // Sealed once: every repetition carries these same bytes, so the fixed
  // key and nonce only ever encrypt this one plaintext.
  const IdentitySealKey intro_seal = DeriveIntroductionSealKey(init.root_key.span(), prefix);
  const Bytes sealed_intro =
      crypto::XChaChaSeal(intro_seal.key.span(), intro_seal.nonce.span(), prefix, introduction);
  Append(prefix, sealed_intro);
  if (trace != nullptr) {
    CopyInto(trace->ephemeral_private, ephemeral.private_key.span());
    TraceKeys(trace, dh1, dh2, dh3, dh4, init, seal);
    CopyInto(trace->introduction_key, intro_seal.key.span());
    trace->introduction_nonce = intro_seal.nonce.Clone();
  }

  ATTUNE_ASSIGN_OR_RETURN(
      Session session, Session::InitInitiator(std::move(init), invitation.signed_prekey(), random));
  ATTUNE_RETURN_IF_ERROR(session.RepeatX3dhPrefix(prefix));
  ATTUNE_ASSIGN_OR_RETURN(Bytes message, session.Encrypt(first_plaintext, random));
  return AcceptedInvitation{std::move(session), std::move(message)};
}

Result<ProcessedFirstMessage> ProcessFirstMessage(const Identity& self,
                                                  const InvitationSecrets& secrets,
                                                  ByteView first_message, uint64_t now_unix,
                                                  const PublicIdentity* expected_initiator,
                                                  X3dhTrace* trace) {
  ATTUNE_ASSIGN_OR_RETURN(FirstMessageView view, FirstMessageView::Parse(first_message));
  if (view.invitation_id() != secrets.id()) {
    return MakeError(ErrorCode::kInvalidArgument, "first message is for another invitation");
  }
  // Redelivery and reuse are decided before expiry: a copy of the message that
  // was accepted stays a harmless duplicate even after the invitation expired.
  if (secrets.consumed()) {
    const ByteArray<32> hash = ConsumedHash(view);
    if (crypto::ConstantTimeEqual(hash, secrets.first_message_hash())) {
      return MakeError(ErrorCode::kDuplicate, "first message already processed");
    }
    return MakeError(ErrorCode::kAlreadyExists, "invitation already used by another message");
  }
  if (now_unix > secrets.expires_at()) {
    return MakeError(ErrorCode::kExpired, "invitation has expired");
  }
  if (!crypto::X25519IsValidPublicKey(view.ephemeral_key())) {
    return MakeError(ErrorCode::kCryptoFailed, "first message ephemeral key is unusable");
  }

  // Unseal the initiator's identity (DH3 needs only SPK_B and EK_A).
  ATTUNE_ASSIGN_OR_RETURN(auto dh3, secrets.AgreeSignedPrekey(view.ephemeral_key()));
  const IdentitySealKey seal = DeriveIdentitySealKey(dh3.span(), view.public_header());
  auto record = crypto::XChaChaOpen(seal.key.span(), seal.nonce.span(), view.public_header(),
                                    view.sealed_identity());
  if (!record.ok()) {
    return MakeError(ErrorCode::kAuthFailed, "first message identity does not authenticate");
  }
  ATTUNE_ASSIGN_OR_RETURN(PublicIdentity initiator, PublicIdentity::Parse(*record));
  if (SameSigningKey(initiator, self.public_identity())) {
    return MakeError(ErrorCode::kInvalidArgument, "first message claims our own identity");
  }

  ATTUNE_ASSIGN_OR_RETURN(auto dh1, secrets.AgreeSignedPrekey(initiator.agreement_key()));
  ATTUNE_ASSIGN_OR_RETURN(auto dh2, self.Agree(view.ephemeral_key()));
  ATTUNE_ASSIGN_OR_RETURN(auto dh4, secrets.AgreeOneTimePrekey(view.ephemeral_key()));
  RatchetInit init =
      DeriveX3dh(dh1.span(), dh2.span(), dh3.span(), dh4.span(), initiator, self.public_identity());
  TraceKeys(trace, dh1, dh2, dh3, dh4, init, seal);

  Bytes introduction;
  if (view.is_v2()) {
    const IdentitySealKey intro_seal =
        DeriveIntroductionSealKey(init.root_key.span(), view.introduction_ad());
    if (trace != nullptr) {
      CopyInto(trace->introduction_key, intro_seal.key.span());
      trace->introduction_nonce = intro_seal.nonce.Clone();
    }
    auto opened = crypto::XChaChaOpen(intro_seal.key.span(), intro_seal.nonce.span(),
                                      view.introduction_ad(), view.sealed_introduction());
    if (!opened.ok()) {
      return MakeError(ErrorCode::kAuthFailed, "first message introduction does not authenticate");
    }
    introduction = std::move(opened).value();
  }

  ATTUNE_ASSIGN_OR_RETURN(crypto::X25519KeyPair spk, secrets.SignedPrekeyPair());
  Session session = Session::InitResponder(std::move(init), std::move(spk));
  ATTUNE_ASSIGN_OR_RETURN(Bytes plaintext, session.Decrypt(view.ratchet_message(), now_unix));

  // Only a message that is valid in every other way reports an identity
  // change, so the warning is never caused by a merely broken message.
  if (expected_initiator != nullptr && !(*expected_initiator == initiator)) {
    return MakeError(ErrorCode::kIdentityChanged,
                     "first message comes from a different identity than the known contact");
  }
  return ProcessedFirstMessage{std::move(session), std::move(plaintext), std::move(introduction),
                               initiator, secrets.Consumed(ConsumedHash(view))};
}

Result<Bytes> DecryptOnSession(Session& session, const InvitationSecrets& consumed,
                               ByteView first_message, uint64_t now_unix) {
  ATTUNE_ASSIGN_OR_RETURN(FirstMessageView view, FirstMessageView::Parse(first_message));
  if (!consumed.consumed() || view.invitation_id() != consumed.id()) {
    return MakeError(ErrorCode::kInvalidArgument, "first message is not for this session");
  }
  if (!crypto::ConstantTimeEqual(ConsumedHash(view), consumed.first_message_hash())) {
    return MakeError(ErrorCode::kAlreadyExists,
                     "a different X3DH on a used invitation (a new session attempt)");
  }
  if (!view.is_v2()) {
    return MakeError(ErrorCode::kDuplicate, "first message already processed");
  }
  return session.Decrypt(view.ratchet_message(), now_unix);
}

}  // namespace attune::e2e
