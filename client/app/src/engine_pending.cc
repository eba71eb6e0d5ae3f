// Re-pairings that wait for confirmation (store/pending.h): confirming one
// swaps it onto the known contact in one transaction; declining drops it; one
// nobody confirms in time is declined by the engine. The mailboxes they leave
// behind are deleted on their relay (store/mailbox_deletions.h).
#include <algorithm>
#include <set>
#include <tuple>

#include "attune/client/content_view.h"
#include "attune/client/engine.h"
#include "attune/client/store/mailbox_deletions.h"
#include "attune/client/store/pending.h"
#include "attune/client/store/records.h"

namespace attune::client {
namespace {

constexpr uint64_t kSecondsPerDay = uint64_t{24} * 3600;

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Result<std::optional<int64_t>> Engine::PendingOfLocked(const store::Contact& contact) {
  store::Database& db = profile_.db();
  ATTUNE_ASSIGN_OR_RETURN(auto replaces, store::PendingReplaces(db, contact.id));
  if (replaces) return std::optional<int64_t>(contact.id);
  return store::PendingReplacementOf(db, contact.id);
}

Result<std::optional<int64_t>> Engine::ConfirmPendingLocked(const store::Contact& contact,
                                                            std::vector<Event>& events) {
  store::Database& db = profile_.db();
  uint64_t generation = 0;
  std::optional<int64_t> known;
  {
    ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
    ATTUNE_ASSIGN_OR_RETURN(std::optional<int64_t> pending, PendingOfLocked(contact));
    if (!pending) return std::optional<int64_t>{};
    ATTUNE_ASSIGN_OR_RETURN(known,
                            store::ConfirmPending(db, *pending, static_cast<int64_t>(now_())));
    // The known contact's session changed: a restored copy from before this
    // must be recognised like after any other session change.
    ATTUNE_ASSIGN_OR_RETURN(generation, profile_.BumpGeneration());
    if (account_.role == Role::kTherapist) {
      // The confirmed device has none of the practice settings yet; they
      // are queued with the confirm, so a crash cannot keep one without
      // the other. The bump above covers their ciphertexts.
      ATTUNE_ASSIGN_OR_RETURN(store::Contact confirmed, store::GetContact(db, *known));
      ATTUNE_RETURN_IF_ERROR(WriteSettingsForLocked(confirmed, &generation, events));
    }
    ATTUNE_RETURN_IF_ERROR(tx.Commit());
  }
  profile_.ConfirmAnchor(generation);
  return known;
}

Result<std::vector<std::string>> Engine::ExpirePendingLocked(std::vector<Event>& events) {
  store::Database& db = profile_.db();
  const auto now = static_cast<int64_t>(now_());
  ATTUNE_ASSIGN_OR_RETURN(std::vector<int64_t> stale,
                          store::PendingCreatedBefore(
                              db, now - static_cast<int64_t>(kPendingRePairingLifetimeSeconds)));
  std::vector<std::string> names;
  if (stale.empty()) return names;
  std::vector<Event> expired;
  {
    ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
    for (int64_t id : stale) {
      ATTUNE_ASSIGN_OR_RETURN(store::Contact pending, store::GetContact(db, id));
      ATTUNE_ASSIGN_OR_RETURN(std::optional<int64_t> replaces, store::PendingReplaces(db, id));
      std::string known_name;
      if (replaces) {
        ATTUNE_ASSIGN_OR_RETURN(store::Contact known, store::GetContact(db, *replaces));
        known_name = known.name;
      }
      ATTUNE_RETURN_IF_ERROR(store::ExpirePending(db, id, now));
      std::string what = "The re-pairing " + pending.name;
      what += " of " + known_name;
      what += " was not confirmed within " +
              std::to_string(kPendingRePairingLifetimeSeconds / kSecondsPerDay);
      what += " days and was declined: " + known_name;
      what += " is unchanged; what " + pending.name;
      what += " sent is kept to read, and it can no longer send or receive.";
      expired.emplace_back(
          ContactChanged{id, pending.name, ContactChanged::Change::kPendingExpired, what});
      names.push_back(pending.name);
      names.push_back(known_name);
    }
    ATTUNE_RETURN_IF_ERROR(tx.Commit());
  }
  events.insert(events.end(), expired.begin(), expired.end());
  return names;
}

Result<size_t> Engine::DeleteRetiredMailboxesLocked() {
  store::Database& db = profile_.db();
  ATTUNE_ASSIGN_OR_RETURN(std::vector<store::MailboxDeletion> retired,
                          store::ListMailboxDeletions(db));
  std::set<std::tuple<std::string, uint16_t, ByteArray<32>>> unreachable;
  size_t left = 0;
  for (const store::MailboxDeletion& d : retired) {
    const auto key = std::make_tuple(d.relay.host, d.relay.port, d.relay.relay_public_key);
    if (unreachable.count(key) != 0) {
      ++left;
      continue;
    }
    const net::RelayEndpoint endpoint = ToEndpoint(d.relay);
    auto relay = pool_.Get(endpoint);
    Status deleted = relay.ok()
                         ? (*relay)->DeleteMailbox(
                               d.mailbox_id, crypto::Ed25519KeyPairFromSeed(d.owner_seed.span()))
                         : Status(relay.error());
    if (!deleted.ok() && net::IsRetryable(deleted.error())) {
      // Not reached: asked again on the next sync; never blocks anything.
      pool_.Drop(endpoint);
      unreachable.insert(key);
      ++left;
      continue;
    }
    // Done, or a definite answer (kNotFound: already gone; a refusal: it
    // will never succeed, and the relay's own expiry removes the mailbox).
    ATTUNE_RETURN_IF_ERROR(store::ForgetMailboxDeletion(db, d.mailbox_id));
  }
  return left;
}

Status Engine::MarkVerifiedLocked(std::string_view name, std::vector<Event>& events) {
  store::Database& db = profile_.db();
  ATTUNE_ASSIGN_OR_RETURN(std::vector<std::string> expired, ExpirePendingLocked(events));
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(name));
  if (Contains(expired, name) || contact.send_block == store::kDeclinedSendBlock) {
    return MakeError(ErrorCode::kExpired,
                     "the re-pairing of " + SanitizeForTerminal(name) +
                         " was not confirmed within " +
                         std::to_string(kPendingRePairingLifetimeSeconds / kSecondsPerDay) +
                         " days and was declined; nothing was verified. Pair again with a new "
                         "invitation");
  }
  ATTUNE_ASSIGN_OR_RETURN(std::optional<int64_t> confirmed, ConfirmPendingLocked(contact, events));
  if (!confirmed) {
    contact.verified = true;
    contact.identity_changed = false;
    ATTUNE_RETURN_IF_ERROR(store::UpdateContact(db, contact));
    events.emplace_back(
        ContactChanged{contact.id, contact.name, ContactChanged::Change::kVerified, ""});
    return Status::Ok();
  }
  ATTUNE_ASSIGN_OR_RETURN(store::Contact known, store::GetContact(db, *confirmed));
  events.emplace_back(ContactChanged{known.id, known.name, ContactChanged::Change::kVerified, ""});
  // Committed: what follows may fail or wait for a relay without undoing it.
  if (account_.role == Role::kTherapist) (void)FlushLocked();  // the settings queued with it
  (void)DeleteRetiredMailboxesLocked();
  return Status::Ok();
}

Status Engine::DeclinePendingLocked(std::string_view name, std::vector<Event>& events) {
  store::Database& db = profile_.db();
  ATTUNE_ASSIGN_OR_RETURN(std::vector<std::string> expired, ExpirePendingLocked(events));
  if (Contains(expired, name)) return Status::Ok();  // declined already, just now
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(name));
  {
    ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
    ATTUNE_ASSIGN_OR_RETURN(std::optional<int64_t> pending, PendingOfLocked(contact));
    if (!pending) {
      return MakeError(ErrorCode::kNotFound, "no re-pairing of " + contact.name + " is pending");
    }
    ATTUNE_RETURN_IF_ERROR(store::DiscardPending(db, *pending, static_cast<int64_t>(now_())));
    ATTUNE_RETURN_IF_ERROR(tx.Commit());
  }
  (void)DeleteRetiredMailboxesLocked();
  return Status::Ok();
}

Status Engine::LockedThenEmit(const std::function<Status(std::vector<Event>&)>& step) {
  std::vector<Event> events;
  Status out = Status::Ok();
  {
    std::lock_guard lock(mu_);
    out = step(events);
  }
  // Also after a failure: an expiry found on the way was committed.
  EmitAll(events);
  return out;
}

Status Engine::MarkVerified(std::string_view name) {
  return LockedThenEmit(
      [&](std::vector<Event>& events) { return MarkVerifiedLocked(name, events); });
}

Status Engine::DeclinePending(std::string_view name) {
  return LockedThenEmit(
      [&](std::vector<Event>& events) { return DeclinePendingLocked(name, events); });
}

}  // namespace attune::client
