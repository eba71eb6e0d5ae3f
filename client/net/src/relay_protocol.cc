#include "attune/net/relay_protocol.h"

#include <string>

#include "attune/crypto/hash.h"

namespace attune::net {
namespace {

Bytes LabelHashId(std::string_view label, const HandshakeHash& handshake_hash,
                  const MailboxId& mailbox_id) {
  Bytes out;
  out.reserve(label.size() + handshake_hash.size() + mailbox_id.size() + 64);
  Append(out, label);
  Append(out, handshake_hash);
  Append(out, mailbox_id);
  return out;
}

}  // namespace

SendCapabilityHash ComputeSendCapabilityHash(crypto::ConstSpan<kSendCapabilitySize> capability) {
  SendCapabilityHash out;
  crypto::Blake2bHasher hasher(out.size());
  hasher.Update(AsBytes(kSendCapabilityLabel)).Update(capability);
  hasher.Final(out);
  return out;
}

Bytes SubscribeSignatureInput(const HandshakeHash& handshake_hash, const MailboxId& mailbox_id) {
  return LabelHashId(kSubscribeLabel, handshake_hash, mailbox_id);
}

Bytes DeleteSignatureInput(const HandshakeHash& handshake_hash, const MailboxId& mailbox_id) {
  return LabelHashId(kDeleteLabel, handshake_hash, mailbox_id);
}

Bytes RotateSignatureInput(const HandshakeHash& handshake_hash, const MailboxId& mailbox_id,
                           const crypto::Ed25519PublicKey& new_owner_public_key,
                           const SendCapabilityHash& new_send_capability_hash) {
  Bytes out = LabelHashId(kRotateLabel, handshake_hash, mailbox_id);
  Append(out, new_owner_public_key);
  Append(out, new_send_capability_hash);
  return out;
}

const char* RelayCodeName(RelayCode code) {
  switch (code) {
    case RelayCode::kUnspecified:
      return "unspecified";
    case RelayCode::kOk:
      return "ok";
    case RelayCode::kBadRequest:
      return "bad request";
    case RelayCode::kUnauthorized:
      return "unauthorized";
    case RelayCode::kNotFound:
      return "not found";
    case RelayCode::kAlreadyExists:
      return "already exists";
    case RelayCode::kQuotaExceeded:
      return "quota exceeded";
    case RelayCode::kRateLimited:
      return "rate limited";
    case RelayCode::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

Error RelayCodeToError(RelayCode code, std::string_view relay_message) {
  std::string message = std::string("relay: ") + RelayCodeName(code);
  if (!relay_message.empty()) {
    message += ": ";
    message += relay_message;
  }
  switch (code) {
    case RelayCode::kBadRequest:
      return MakeError(ErrorCode::kInvalidArgument, std::move(message));
    case RelayCode::kUnauthorized:
      return MakeError(ErrorCode::kAuthFailed, std::move(message));
    case RelayCode::kNotFound:
      return MakeError(ErrorCode::kNotFound, std::move(message));
    case RelayCode::kAlreadyExists:
      return MakeError(ErrorCode::kAlreadyExists, std::move(message));
    case RelayCode::kQuotaExceeded:
      return MakeError(ErrorCode::kLimitExceeded, std::move(message));
    case RelayCode::kOk:
      return MakeError(ErrorCode::kInternal, std::move(message));
    case RelayCode::kRateLimited:
    case RelayCode::kUnavailable:
    case RelayCode::kUnspecified:
      break;
  }
  return MakeError(ErrorCode::kIoError, std::move(message));
}

bool IsRetryable(const Error& error) { return error.code == ErrorCode::kIoError; }

}  // namespace attune::net
