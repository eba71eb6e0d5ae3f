// client::ParseRouting (attune/client/routing.h) on arbitrary bytes: the
// routing blob inside an invitation, written by whoever made the invitation.
//
// Whatever the bytes, the parser must not crash, and a Routing may only come
// out with every field in bounds: a 1..253-byte host, a non-zero port, a
// valid display name. Accepted routing re-encodes to bytes that parse to the
// same Routing (the encoding is deterministic, so it is a fixed point).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "attune/client/routing.h"

namespace {

namespace client = attune::client;

void Check(bool condition) {
  if (!condition) std::abort();
}

bool Same(const client::Routing& a, const client::Routing& b) {
  return a.relay.host == b.relay.host && a.relay.port == b.relay.port &&
         a.relay.relay_public_key == b.relay.relay_public_key &&
         a.inviter_mailbox == b.inviter_mailbox &&
         std::ranges::equal(a.send_capability.view(), b.send_capability.view()) &&
         std::ranges::equal(a.ticket.view(), b.ticket.view()) && a.inviter_name == b.inviter_name;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto routing = client::ParseRouting(attune::ByteView(data, size));
  if (!routing.ok()) {
    Check(!routing.error().message.empty());
    return 0;
  }
  Check(!routing->relay.host.empty() && routing->relay.host.size() <= client::kMaxHostSize);
  Check(routing->relay.port != 0);
  Check(client::ValidateDisplayName(routing->inviter_name).ok());
  const attune::Bytes encoded = client::EncodeRouting(*routing);
  auto again = client::ParseRouting(encoded);
  Check(again.ok() && Same(*again, *routing));
  Check(client::EncodeRouting(*again) == encoded);
  return 0;
}
