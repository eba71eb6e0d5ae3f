#include "attune/client/routing.h"

#include <cstring>

#include "attune/therapy/text.h"
#include "pairing.pb.h"

namespace attune::client {
namespace {

Error Bad(std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument, "invitation routing: " + std::string(what));
}

}  // namespace

Status ValidateDisplayName(std::string_view name) {
  // The same validator as message text, plus the rules for names.
  return therapy::ValidateName("the name", name, kMaxDisplayNameSize);
}

Bytes EncodeRouting(const Routing& routing) {
  pairing::v1::RoutingInfo info;
  info.set_version(kRoutingVersion);
  info.set_relay_host(routing.relay.host);
  info.set_relay_port(routing.relay.port);
  info.set_relay_public_key(routing.relay.relay_public_key.data(), 32);
  info.set_mailbox_id(routing.inviter_mailbox.data(), 32);
  info.set_send_capability(routing.send_capability.data(), 32);
  info.set_ticket(routing.ticket.data(), 32);
  info.set_inviter_name(routing.inviter_name);
  std::string out;
  info.SerializeToString(&out);
  Bytes bytes(out.begin(), out.end());
  // The protobuf string held a capability and a ticket.
  crypto::SecureZero(out.data(), out.size());
  auto* cap = info.mutable_send_capability();
  crypto::SecureZero(cap->data(), cap->size());
  auto* ticket = info.mutable_ticket();
  crypto::SecureZero(ticket->data(), ticket->size());
  return bytes;
}

Result<Routing> ParseRouting(ByteView blob) {
  pairing::v1::RoutingInfo info;
  if (!info.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
    return Bad("not a RoutingInfo");
  }
  Routing r;
  bool ok = true;
  if (info.version() != kRoutingVersion) {
    ok = false;
  }
  if (ok && (info.relay_host().empty() || info.relay_host().size() > kMaxHostSize ||
             !therapy::ValidateName("relay host", info.relay_host(), kMaxHostSize).ok())) {
    ok = false;
  }
  if (ok && (info.relay_port() == 0 || info.relay_port() > 65535)) ok = false;
  if (ok && (info.relay_public_key().size() != 32 || info.mailbox_id().size() != 32 ||
             info.send_capability().size() != 32 || info.ticket().size() != 32)) {
    ok = false;
  }
  if (ok && !ValidateDisplayName(info.inviter_name()).ok()) ok = false;
  if (ok) {
    r.relay.host = info.relay_host();
    r.relay.port = static_cast<uint16_t>(info.relay_port());
    std::memcpy(r.relay.relay_public_key.data(), info.relay_public_key().data(), 32);
    std::memcpy(r.inviter_mailbox.data(), info.mailbox_id().data(), 32);
    std::memcpy(r.send_capability.data(), info.send_capability().data(), 32);
    std::memcpy(r.ticket.data(), info.ticket().data(), 32);
    r.inviter_name = info.inviter_name();
  }
  auto* cap = info.mutable_send_capability();
  crypto::SecureZero(cap->data(), cap->size());
  auto* ticket = info.mutable_ticket();
  crypto::SecureZero(ticket->data(), ticket->size());
  if (!ok) {
    if (info.version() != kRoutingVersion) {
      return MakeError(ErrorCode::kUnsupportedVersion,
                       "invitation routing: version " + std::to_string(info.version()));
    }
    return Bad("a field is out of bounds");
  }
  return r;
}

}  // namespace attune::client
