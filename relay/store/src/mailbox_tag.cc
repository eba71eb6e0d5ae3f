#include "attune/crypto/hash.h"
#include "attune/relay/store/mailbox_notifier.h"

namespace attune::relay {
namespace {

constexpr char kNotifyLabel[] = "attune relay notify v1";

}  // namespace

MailboxTagger::MailboxTagger(const crypto::SecretArray<32>& static_private_key) {
  crypto::Blake2b(MutableByteView(key_.data(), key_.size()),
                  ByteView(reinterpret_cast<const uint8_t*>(kNotifyLabel), sizeof kNotifyLabel - 1),
                  static_private_key.view());
}

MailboxTag MailboxTagger::Tag(const MailboxId& id) const {
  MailboxTag tag{};
  crypto::Blake2b(MutableByteView(tag.data(), tag.size()), ByteView(id.data(), id.size()),
                  key_.view());
  return tag;
}

}  // namespace attune::relay
