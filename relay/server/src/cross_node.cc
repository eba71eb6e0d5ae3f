// Cluster mode: several relay nodes share one PostgreSQL database. A node
// pushes what its own commits stored directly (NotifyNewMessage); messages
// stored through other nodes arrive as MailboxNotifier events naming only a
// mailbox tag, and make the matching local subscriptions fetch from the
// store. A fetch is idempotent (it resumes after last_delivered), so a
// spurious or repeated event costs one read and never a duplicate push.
// A rotation or deletion committed through another node closes this node's
// subscribers of that mailbox (PROTOCOL.md 2.6, 2.7), as the local path does;
// after notifications were lost, a node re-reads the owner keys of its
// subscribed mailboxes and closes the subscribers whose key no longer owns
// the mailbox (RecheckOwners).
#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "asio/post.hpp"
#include "server_state.h"

namespace attune::relay {

void RelayServer::AttachNotifier(MailboxNotifier& notifier) {
  ServerState* state = state_.get();
  state->notifier = &notifier;
  asio::io_context& io = state->io;
  MailboxNotifier::Events events;
  // Events come on the notifier's thread; the registry lives on the io
  // thread. The notifier is stopped before the server goes away, and posted
  // handlers run before that (serve.cc).
  events.changed = [state, &io](const MailboxTag& tag) {
    asio::post(io, [state, tag] { state->OnRemoteMessages(tag); });
  };
  events.evicted = [state, &io](const MailboxTag& tag) {
    asio::post(io, [state, tag] { state->OnRemoteEviction(tag); });
  };
  events.missed = [state, &io] { asio::post(io, [state] { state->OnMissedNotifications(); }); };
  notifier.Start(std::move(events));
}

void ServerState::IndexSubscribed(const MailboxId& id, bool subscribed) {
  if (notifier == nullptr) return;
  const MailboxTag tag = notifier->tagger().Tag(id);
  if (subscribed) {
    subscribed_tags[tag] = id;
  } else {
    subscribed_tags.erase(tag);
  }
}

void ServerState::OnRemoteMessages(const MailboxTag& tag) {
  auto found = subscribed_tags.find(tag);
  if (found == subscribed_tags.end()) return;
  auto it = subscribers.find(found->second);
  if (it == subscribers.end()) return;
  // Copy: a fetch can close a connection, which edits the registry.
  std::vector<Subscription*> subs = it->second;
  for (Subscription* s : subs) s->connection->OnMailboxChanged(*s);
}

void ServerState::OnRemoteEviction(const MailboxTag& tag) {
  auto found = subscribed_tags.find(tag);
  if (found == subscribed_tags.end()) return;
  // Every subscriber on this node: the request came through another one.
  EvictSubscribers(MailboxId(found->second), nullptr);
}

void ServerState::OnMissedNotifications() {
  RefetchAll();
  owners_unverified = true;
  RecheckOwners();
}

void ServerState::RefetchAll() {
  std::vector<Subscription*> all;
  for (const auto& [id, subs] : subscribers) all.insert(all.end(), subs.begin(), subs.end());
  for (Subscription* s : all) s->connection->OnMailboxChanged(*s);
}

// Ordering: the reads run on the reader after the listener is back, so they
// see every rotation and deletion committed while it was away (later ones
// arrive as NOTIFY). A subscribe whose authorization read ran before such a
// commit was submitted to the same reader earlier, so it is active when the
// completion below runs and is checked; one submitted later reads the new
// state itself.
void ServerState::RecheckOwners() {
  if (recheck_running > 0) {
    recheck_again = true;
    return;
  }
  std::vector<MailboxId> ids;
  for (const Connection* c = first; c != nullptr; c = c->next) c->AppendSubscribedIds(ids);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  owners_unverified = false;
  using Owners = std::vector<std::pair<MailboxId, std::optional<OwnerKey>>>;
  for (size_t begin = 0; begin < ids.size(); begin += kRecheckChunk) {
    std::vector<MailboxId> chunk(
        ids.begin() + static_cast<ptrdiff_t>(begin),
        ids.begin() + static_cast<ptrdiff_t>(std::min(ids.size(), begin + kRecheckChunk)));
    auto owners = std::make_shared<Result<Owners>>(Owners{});
    const bool queued = reader.Submit([this, chunk = std::move(chunk),
                                       owners](MailboxStore& store) -> GroupCommitter::Completion {
      for (const MailboxId& id : chunk) {
        auto found = store.GetMailbox(id);
        if (!found.ok()) {
          *owners = found.error();
          break;
        }
        (*owners)->emplace_back(
            id, *found ? std::optional<OwnerKey>((*found)->owner_key) : std::nullopt);
      }
      return [this, owners](const Status& read) {
        asio::post(io, [this, owners, ok = read.ok()] {
          recheck_running--;
          if (!ok || !owners->ok()) {
            // Try again with the next fetch retry, until the store answers.
            owners_unverified = true;
            RetryFetchesSoon();
          } else {
            for (const auto& [id, key] : **owners) CloseStaleSubscribers(id, key);
          }
          if (recheck_running == 0 && recheck_again && !shutting_down) {
            recheck_again = false;
            RecheckOwners();
          }
        });
      };
    });
    if (queued) {
      recheck_running++;
    } else {
      owners_unverified = true;
    }
  }
}

void ServerState::CloseStaleSubscribers(const MailboxId& id, const std::optional<OwnerKey>& key) {
  auto it = subscribers.find(id);
  if (it == subscribers.end()) return;
  std::vector<Subscription*> subs = it->second;  // Close() edits the registry
  for (Subscription* s : subs) {
    if (!key || s->owner_key != *key) s->connection->Close(CloseReason::kEvicted);
  }
}

void ServerState::RetryFetchesSoon() {
  if (fetch_retry_armed || shutting_down) return;
  fetch_retry_armed = true;
  fetch_retry_timer.expires_after(kFetchRetryDelay);
  fetch_retry_timer.async_wait([this](const std::error_code& ec) {
    fetch_retry_armed = false;
    if (ec || shutting_down) return;
    RefetchAll();
    if (owners_unverified) RecheckOwners();
  });
}

void Connection::AppendSubscribedIds(std::vector<MailboxId>& out) const {
  if (closed_) return;
  for (const auto& sub : subs_) out.push_back(sub->mailbox_id);
}

void Connection::OnMailboxChanged(Subscription& sub) {
  if (closed_ || draining_ || !sub.active) return;
  sub.more_available = true;
  MaybeFetch(sub);
}

}  // namespace attune::relay
