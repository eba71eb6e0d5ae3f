// mailbox::ParseRelayFrame (attune/mailbox/client_codec.h) on arbitrary bytes: the
// client's decoder of every frame a relay sends inside the Noise session. A
// hostile or broken relay controls these bytes.
//
// Whatever the bytes, the parser must not crash, and it may accept only a
// RelayFrame with a body: a RelayResponse carries a known code and exactly
// the frame's request id, message and message id, and a ticket only when the
// frame held a 32-byte one; a Delivery carries the frame's 32-byte mailbox
// id, its message id and its (non-empty) blob.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "attune/mailbox/client_codec.h"
#include "relay.pb.h"

namespace {

namespace mailbox = attune::mailbox;
namespace pb = attune::relay::v1;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckResponse(const mailbox::RelayResponse& r, const pb::Response& ref) {
  Check(r.code != mailbox::Code::kUnspecified);
  Check(static_cast<int>(r.code) == static_cast<int>(ref.code()));
  Check(r.request_id == ref.request_id());
  Check(r.message == ref.message());
  Check(r.message_id == ref.message_id());
  Check(r.ticket.has_value() == !ref.ticket().empty());
  if (r.ticket) {
    Check(ref.ticket().size() == r.ticket->size());
    Check(std::equal(r.ticket->data(), r.ticket->data() + r.ticket->size(),
                     reinterpret_cast<const uint8_t*>(ref.ticket().data())));
  }
}

void CheckDelivery(const mailbox::Delivery& d, const pb::Delivery& ref) {
  Check(ref.mailbox_id().size() == d.mailbox_id.size());
  Check(std::equal(d.mailbox_id.begin(), d.mailbox_id.end(),
                   reinterpret_cast<const uint8_t*>(ref.mailbox_id().data())));
  Check(d.message_id == ref.message_id());
  Check(!d.blob.empty() && d.blob.size() == ref.blob().size());
  Check(std::equal(d.blob.begin(), d.blob.end(),
                   reinterpret_cast<const uint8_t*>(ref.blob().data())));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const attune::ByteView bytes(data, size);
  auto parsed = mailbox::ParseRelayFrame(bytes);

  pb::RelayFrame reference;
  const bool parses = reference.ParseFromArray(data, static_cast<int>(size));
  if (!parsed.ok()) {
    Check(!parsed.error().message.empty());
    return 0;
  }
  Check(parses);
  if (const auto* response = std::get_if<mailbox::RelayResponse>(&*parsed)) {
    Check(reference.has_response());
    CheckResponse(*response, reference.response());
  } else {
    Check(reference.has_delivery());
    CheckDelivery(std::get<mailbox::Delivery>(*parsed), reference.delivery());
  }
  return 0;
}
