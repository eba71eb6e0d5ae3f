#include "attune/mailbox/client_codec.h"

#include <string>

#include "relay.pb.h"

namespace attune::mailbox {
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

Result<Code> ParseCode(int code) {
  if (code < static_cast<int>(Code::kOk) || code > static_cast<int>(Code::kUnavailable)) {
    return MakeError(ErrorCode::kInvalidArgument, "relay frame: unknown response code");
  }
  return static_cast<Code>(code);
}

}  // namespace

Result<RelayMessage> ParseRelayFrame(ByteView plaintext) {
  pb::RelayFrame frame;
  if (plaintext.size() > kMaxFrameSize ||
      !frame.ParseFromArray(plaintext.data(), static_cast<int>(plaintext.size()))) {
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
        if (r.ticket().size() != kTokenSize) {
          return MakeError(ErrorCode::kInvalidArgument, "relay frame: ticket is not 32 bytes");
        }
        out.ticket.emplace(crypto::ConstSpan<kTokenSize>(
            reinterpret_cast<const uint8_t*>(r.ticket().data()), kTokenSize));
        crypto::SecureZero(r.mutable_ticket()->data(), r.ticket().size());
      }
      return RelayMessage(std::move(out));
    }
    case pb::RelayFrame::kDelivery: {
      pb::Delivery& d = *frame.mutable_delivery();
      if (d.mailbox_id().size() != kMailboxIdSize) {
        return MakeError(ErrorCode::kInvalidArgument, "relay frame: mailbox id is not 32 bytes");
      }
      if (d.message_id() == 0) {
        return MakeError(ErrorCode::kInvalidArgument, "relay frame: delivery message id 0");
      }
      if (d.blob().empty() || d.blob().size() > kMaxBlobSize) {
        return MakeError(ErrorCode::kInvalidArgument, "relay frame: delivery blob size");
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
                                      crypto::ConstSpan<kTokenSize> credential) {
  pb::ClientFrame frame;
  frame.set_request_id(request_id);
  std::string* c = frame.mutable_issue_ticket()->mutable_credential();
  c->assign(AsStringView(credential));
  return SerializeSecret(frame, c);
}

crypto::SecretBytes EncodeCreateMailbox(uint64_t request_id, const MailboxId& mailbox_id,
                                        const crypto::Ed25519PublicKey& owner_public_key,
                                        const Hash32& send_capability_hash, CreateAuth auth,
                                        crypto::ConstSpan<kTokenSize> token_bytes) {
  pb::ClientFrame frame;
  frame.set_request_id(request_id);
  pb::CreateMailbox* c = frame.mutable_create_mailbox();
  c->set_mailbox_id(ToStr(mailbox_id));
  c->set_owner_public_key(ToStr(owner_public_key));
  c->set_send_capability_hash(ToStr(send_capability_hash));
  std::string* token =
      auth == CreateAuth::kCredential ? c->mutable_credential() : c->mutable_ticket();
  token->assign(AsStringView(token_bytes));
  return SerializeSecret(frame, token);
}

crypto::SecretBytes EncodeSend(uint64_t request_id, const MailboxId& mailbox_id,
                               crypto::ConstSpan<kTokenSize> send_capability, ByteView blob) {
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
                          const Hash32& new_send_capability_hash,
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

RequestEncoder::RequestEncoder() : frame_(std::make_unique<pb::ClientFrame>()) {}
RequestEncoder::~RequestEncoder() = default;

ByteView RequestEncoder::Send(uint64_t request_id, const MailboxId& mailbox_id,
                              crypto::ConstSpan<kTokenSize> send_capability, ByteView blob) {
  frame_->Clear();
  frame_->set_request_id(request_id);
  pb::Send* s = frame_->mutable_send();
  s->set_mailbox_id(mailbox_id.data(), mailbox_id.size());
  s->set_send_capability(send_capability.data(), send_capability.size());
  s->set_blob(blob.data(), blob.size());
  return Serialize();
}

ByteView RequestEncoder::Ack(uint64_t request_id, const MailboxId& mailbox_id,
                             uint64_t message_id) {
  frame_->Clear();
  frame_->set_request_id(request_id);
  frame_->mutable_ack()->set_mailbox_id(mailbox_id.data(), mailbox_id.size());
  frame_->mutable_ack()->set_message_id(message_id);
  return Serialize();
}

ByteView RequestEncoder::Serialize() {
  buffer_.resize(frame_->ByteSizeLong());
  frame_->SerializeWithCachedSizesToArray(buffer_.data());
  return buffer_;
}

}  // namespace attune::mailbox
