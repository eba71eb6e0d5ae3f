// Cluster mode: several relay nodes share one PostgreSQL database. A node
// pushes what its own commits stored directly (NotifyNewMessage); messages
// stored through other nodes arrive as MailboxNotifier events naming only a
// mailbox tag, and make the matching local subscriptions fetch from the
// store. A fetch is idempotent (it resumes after last_delivered), so a
// spurious or repeated event costs one read and never a duplicate push.
// A rotation or deletion committed through another node closes this node's
// subscribers of that mailbox (PROTOCOL.md 2.6, 2.7), as the local path does.
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
  std::vector<Subscription*> all;
  for (const auto& [id, subs] : subscribers) all.insert(all.end(), subs.begin(), subs.end());
  for (Subscription* s : all) s->connection->OnMailboxChanged(*s);
}

void ServerState::RetryFetchesSoon() {
  if (fetch_retry_armed || shutting_down) return;
  fetch_retry_armed = true;
  fetch_retry_timer.expires_after(kFetchRetryDelay);
  fetch_retry_timer.async_wait([this](const std::error_code& ec) {
    fetch_retry_armed = false;
    if (ec || shutting_down) return;
    OnMissedNotifications();
  });
}

void Connection::OnMailboxChanged(Subscription& sub) {
  if (closed_ || draining_ || !sub.active) return;
  sub.more_available = true;
  MaybeFetch(sub);
}

}  // namespace attune::relay
