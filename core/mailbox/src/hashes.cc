#include "attune/mailbox/hashes.h"

#include "attune/crypto/hash.h"

namespace attune::mailbox {
namespace {

Hash32 LabeledHash(std::string_view label, ByteView token) {
  Hash32 out;
  crypto::Blake2bHasher(out.size()).Update(AsBytes(label)).Update(token).Final(out);
  return out;
}

Bytes Signed(std::string_view label, const HandshakeHash& h, const MailboxId& id) {
  Bytes out;
  out.reserve(label.size() + h.size() + id.size() + 64);
  Append(out, label);
  Append(out, h);
  Append(out, id);
  return out;
}

}  // namespace

Hash32 SendCapabilityHash(ByteView c) { return LabeledHash(kSendCapabilityLabel, c); }
Hash32 CredentialHash(ByteView c) { return LabeledHash(kCredentialLabel, c); }
Hash32 TicketHash(ByteView t) { return LabeledHash(kTicketLabel, t); }

Bytes SubscribeSignedBytes(const HandshakeHash& h, const MailboxId& id) {
  return Signed(kSubscribeLabel, h, id);
}
Bytes DeleteSignedBytes(const HandshakeHash& h, const MailboxId& id) {
  return Signed(kDeleteLabel, h, id);
}
Bytes RotateSignedBytes(const HandshakeHash& h, const MailboxId& id, const OwnerKey& new_owner,
                        const Hash32& new_cap_hash) {
  Bytes out = Signed(kRotateLabel, h, id);
  Append(out, new_owner);
  Append(out, new_cap_hash);
  return out;
}

}  // namespace attune::mailbox
