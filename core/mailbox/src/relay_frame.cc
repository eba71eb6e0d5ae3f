#include "attune/mailbox/relay_frame.h"

#include "attune/crypto/secret.h"
#include "relay.pb.h"

namespace attune::mailbox {
namespace {

namespace pb = ::attune::relay::v1;

// The numbers are the protobuf enum's (codes.h).
pb::Response::Code ToProto(Code code) { return static_cast<pb::Response::Code>(code); }

}  // namespace

std::string EncodeResponse(uint64_t request_id, Code code, std::string_view message,
                           uint64_t message_id,
                           const std::optional<ByteArray<kTokenSize>>& ticket) {
  pb::RelayFrame frame;
  pb::Response* r = frame.mutable_response();
  r->set_request_id(request_id);
  r->set_code(ToProto(code));
  if (!message.empty()) r->set_message(std::string(message));
  if (message_id != 0) r->set_message_id(message_id);
  if (ticket) r->set_ticket(ticket->data(), ticket->size());
  std::string out = frame.SerializeAsString();
  if (ticket) crypto::SecureZero(r->mutable_ticket()->data(), r->ticket().size());
  return out;
}

std::string EncodeDelivery(const MailboxId& mailbox_id, uint64_t message_id,
                           std::string_view blob) {
  pb::RelayFrame frame;
  pb::Delivery* d = frame.mutable_delivery();
  d->set_mailbox_id(mailbox_id.data(), mailbox_id.size());
  d->set_message_id(message_id);
  d->set_blob(blob.data(), blob.size());
  return frame.SerializeAsString();
}

}  // namespace attune::mailbox
