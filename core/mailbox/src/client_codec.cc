#include "attune/net/relay_codec.h"

#include <string>

#include "relay.pb.h"

namespace attune::net {
namespace pb = ::attune::relay::v1;
namespace {

std::string ToStr(ByteView b) { return std::string(AsStringView(b)); }

// Serialises into locked memory and wipes the protobuf's own copies of the
// secret fields (std::string buffers) before they are freed.
crypto::SecretBytes SerializeSecret(pb::ClientFrame& frame, std::string* secret_field_a,
                                    std::string* secret_field_b = nullptr) {
  crypto::SecretBytes out(frame.ByteSizeLong());
  frame.SerializeWithCachedSizesToArray(out.data());
  for (std::string* s : {secret_field_a, secret_field_b}) {
    if (s != nullptr && !s->empty()) crypto::SecureZero(s->data(), s->size());
  }
  return out;
}

Bytes Serialize(const pb::ClientFrame& frame) {
  Bytes out(frame.ByteSizeLong());
  frame.SerializeWithCachedSizesToArray(out.data());
  return out;
}

Result<RelayCode> ParseCode(int code) {
  if (code < static_cast<int>(RelayCode::kOk) || code > static_cast<int>(RelayCode::kUnavailable)) {
    return MakeError(ErrorCode::kInvalidArgument, "relay frame: unknown response code");
  }
  return static_cast<RelayCode>(code);
}

}  // namespace

Result<RelayMessage> ParseRelayFrame(ByteView plaintext) {
  pb::RelayFrame frame;
  if (!frame.ParseFromArray(plaintext.data(), static_cast<int>(plaintext.size()))) {
    return MakeError(ErrorCode::kInvalidArgument, "relay frame: not a RelayFrame");
  }
  switch (frame.body_case()) {
    case pb::RelayFrame::kResponse: {
      pb::Response& r = *frame.mutable_response();
      RelayResponse out;
      out.request_id = r.request_id();
      ATTUNE_ASSIGN_OR_RETURN(out.code, ParseCode(r.code()));
      out.message = r.message();
      out.message_id = r.message_id();
      if (!r.ticket().empty()) {
        if (r.ticket().size() != kTicketSize) {
          return MakeError(ErrorCode::kInvalidArgument, "relay frame: ticket is not 32 bytes");
        }
        out.ticket.emplace(crypto::ConstSpan<kTicketSize>(
            reinterpret_cast<const uint8_t*>(r.ticket().data()), kTicketSize));
        crypto::SecureZero(r.mutable_ticket()->data(), r.ticket().size());
      }
      return RelayMessage(std::move(out));
    }
    case pb::RelayFrame::kDelivery: {
      pb::Delivery& d = *frame.mutable_delivery();
      if (d.mailbox_id().size() != kMailboxIdSize) {
        return MakeError(ErrorCode::kInvalidArgument, "relay frame: mailbox id is not 32 bytes");
      }
      if (d.blob().empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "relay frame: empty delivery");
      }
      Delivery out;
      std::copy(d.mailbox_id().begin(), d.mailbox_id().end(), out.mailbox_id.begin());
      out.message_id = d.message_id();
      out.blob.assign(d.blob().begin(), d.blob().end());
      return RelayMessage(std::move(out));
    }
    case pb::RelayFrame::BODY_NOT_SET:
      break;
  }
  return MakeError(ErrorCode::kInvalidArgument, "relay frame: no body");
}

crypto::SecretBytes EncodeIssueTicket(uint64_t request_id,
                                      crypto::ConstSpan<kCredentialSize> credential) {
  pb::ClientFrame frame;
  frame.set_request_id(request_id);
  std::string* c = frame.mutable_issue_ticket()->mutable_credential();
  c->assign(AsStringView(credential));
  return SerializeSecret(frame, c);
}

crypto::SecretBytes EncodeCreateMailbox(uint64_t request_id, const MailboxId& mailbox_id,
                                        const crypto::Ed25519PublicKey& owner_public_key,
                                        const SendCapabilityHash& send_capability_hash,
                                        const CreateAuthorization& authorization) {
  pb::ClientFrame frame;
  frame.set_request_id(request_id);
  pb::CreateMailbox* c = frame.mutable_create_mailbox();
  c->set_mailbox_id(ToStr(mailbox_id));
  c->set_owner_public_key(ToStr(owner_public_key));
  c->set_send_capability_hash(ToStr(send_capability_hash));
  std::string* token = authorization.kind() == CreateAuthorization::Kind::kCredential
                           ? c->mutable_credential()
                           : c->mutable_ticket();
  token->assign(AsStringView(authorization.token().view()));
  return SerializeSecret(frame, token);
}

crypto::SecretBytes EncodeSend(uint64_t request_id, const MailboxId& mailbox_id,
                               crypto::ConstSpan<kSendCapabilitySize> send_capability,
                               ByteView blob) {
  pb::ClientFrame frame;
  frame.set_request_id(request_id);
  pb::Send* s = frame.mutable_send();
  s->set_mailbox_id(ToStr(mailbox_id));
  std::string* cap = s->mutable_send_capability();
  cap->assign(AsStringView(send_capability));
  s->set_blob(ToStr(blob));
  return SerializeSecret(frame, cap);
}

Bytes EncodeSubscribe(uint64_t request_id, const MailboxId& mailbox_id,
                      const crypto::Ed25519Signature& signature) {
  pb::ClientFrame frame;
  frame.set_request_id(request_id);
  frame.mutable_subscribe()->set_mailbox_id(ToStr(mailbox_id));
  frame.mutable_subscribe()->set_signature(ToStr(signature));
  return Serialize(frame);
}

Bytes EncodePing(uint64_t request_id) {
  pb::ClientFrame frame;
  frame.set_request_id(request_id);
  frame.mutable_ping();
  return Serialize(frame);
}

Bytes EncodeAck(uint64_t request_id, const MailboxId& mailbox_id, uint64_t message_id) {
  pb::ClientFrame frame;
  frame.set_request_id(request_id);
  frame.mutable_ack()->set_mailbox_id(ToStr(mailbox_id));
  frame.mutable_ack()->set_message_id(message_id);
  return Serialize(frame);
}

Bytes EncodeDeleteMailbox(uint64_t request_id, const MailboxId& mailbox_id,
                          const crypto::Ed25519Signature& signature) {
  pb::ClientFrame frame;
  frame.set_request_id(request_id);
  frame.mutable_delete_mailbox()->set_mailbox_id(ToStr(mailbox_id));
  frame.mutable_delete_mailbox()->set_signature(ToStr(signature));
  return Serialize(frame);
}

Bytes EncodeRotateMailbox(uint64_t request_id, const MailboxId& mailbox_id,
                          const crypto::Ed25519PublicKey& new_owner_public_key,
                          const SendCapabilityHash& new_send_capability_hash,
                          const crypto::Ed25519Signature& signature,
                          const crypto::Ed25519Signature& new_owner_signature) {
  pb::ClientFrame frame;
  frame.set_request_id(request_id);
  pb::RotateMailbox* r = frame.mutable_rotate_mailbox();
  r->set_mailbox_id(ToStr(mailbox_id));
  r->set_new_owner_public_key(ToStr(new_owner_public_key));
  r->set_new_send_capability_hash(ToStr(new_send_capability_hash));
  r->set_signature(ToStr(signature));
  r->set_new_owner_signature(ToStr(new_owner_signature));
  return Serialize(frame);
}

}  // namespace attune::net
