#include "attune/client/contact_hello.h"

#include <cstring>

#include "attune/client/routing.h"
#include "content.pb.h"

namespace attune::client {

Bytes EncodeContactHello(const ByteArray<16>& message_id, uint64_t sent_at,
                         std::string_view display_name, const net::MailboxId& mailbox_id,
                         const crypto::SecretArray<32>& send_capability) {
  content::v1::Content content;
  content.set_message_id(message_id.data(), message_id.size());
  content.set_sent_at(sent_at);
  auto* hello = content.mutable_contact_hello();
  hello->set_display_name(std::string(display_name));
  hello->set_mailbox_id(mailbox_id.data(), mailbox_id.size());
  hello->set_send_capability(send_capability.data(), send_capability.size());
  std::string out;
  content.SerializeToString(&out);
  Bytes bytes(out.begin(), out.end());
  crypto::SecureZero(out.data(), out.size());
  auto* cap = hello->mutable_send_capability();
  crypto::SecureZero(cap->data(), cap->size());
  return bytes;
}

Result<ContactHello> ParseContactHello(ByteView plaintext) {
  content::v1::Content content;
  if (!content.ParseFromArray(plaintext.data(), static_cast<int>(plaintext.size())) ||
      !content.has_contact_hello()) {
    return MakeError(ErrorCode::kInvalidArgument, "the first message is not a contact hello");
  }
  const auto& h = content.contact_hello();
  ContactHello hello;
  const bool ok = ValidateDisplayName(h.display_name()).ok() &&
                  h.mailbox_id().size() == hello.mailbox_id.size() &&
                  h.send_capability().size() == hello.send_capability.size();
  if (ok) {
    hello.display_name = h.display_name();
    std::memcpy(hello.mailbox_id.data(), h.mailbox_id().data(), hello.mailbox_id.size());
    std::memcpy(hello.send_capability.data(), h.send_capability().data(),
                hello.send_capability.size());
  }
  auto* cap = content.mutable_contact_hello()->mutable_send_capability();
  crypto::SecureZero(cap->data(), cap->size());
  if (!ok) return MakeError(ErrorCode::kInvalidArgument, "the contact hello is malformed");
  return hello;
}

}  // namespace attune::client
