// Cross-node push: when several relay nodes share one database, a node that
// stores a message tells the others, so a subscriber connected to another
// node gets it at once instead of at its next fetch.
//
// Events name a mailbox only by its MailboxTag, a keyed hash of the mailbox
// id (MailboxTagger). The key is derived from the relay's static private key,
// which every node of a cluster shares, so the database's notification
// channel, its logs and anyone watching the channel see neither mailbox ids
// nor anything that links a tag to a row of the mailboxes table.
//
// Thread safety: MailboxTagger is immutable after construction. A
// MailboxNotifier runs the callbacks on its own thread; they must be quick
// (post to the io thread).
#pragma once

#include <cstddef>
#include <functional>

#include "attune/base/bytes.h"
#include "attune/crypto/secret.h"
#include "attune/relay/store/types.h"

namespace attune::relay {

inline constexpr size_t kMailboxTagSize = 16;
using MailboxTag = ByteArray<kMailboxTagSize>;

class MailboxTagger {
 public:
  // key = BLAKE2b-256(key: static private key, "attune relay notify v1").
  explicit MailboxTagger(const crypto::SecretArray<32>& static_private_key);
  MailboxTagger(const MailboxTagger&) = delete;
  MailboxTagger& operator=(const MailboxTagger&) = delete;

  // BLAKE2b-128(key, mailbox id).
  MailboxTag Tag(const MailboxId& id) const;

 private:
  crypto::SecretArray<32> key_{};
};

class MailboxNotifier {
 public:
  struct Events {
    // New messages were committed to the mailbox with this tag by another
    // node.
    std::function<void(const MailboxTag&)> changed{};
    // Another node rotated the keys of, or deleted, the mailbox with this
    // tag: subscriptions made with the old owner key must end.
    std::function<void(const MailboxTag&)> evicted{};
    // Notifications may have been lost (the notifier was disconnected):
    // every subscribed mailbox may hold messages not yet pushed.
    std::function<void()> missed{};
  };

  virtual ~MailboxNotifier() = default;
  // Starts delivering events until Stop(). Called once.
  virtual void Start(Events events) = 0;
  // Joins the notifier's thread; no callback runs after it returns.
  virtual void Stop() = 0;
  virtual const MailboxTagger& tagger() const = 0;
};

}  // namespace attune::relay
