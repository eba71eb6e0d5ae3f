// Re-pairings that wait for confirmation (store/pending.h): confirming one
// swaps it onto the known contact in one transaction; declining drops it.
#include "attune/client/engine.h"
#include "attune/client/store/pending.h"
#include "attune/client/store/records.h"

namespace attune::client {

Result<std::optional<int64_t>> Engine::PendingOfLocked(const store::Contact& contact) {
  store::Database& db = profile_.db();
  ATTUNE_ASSIGN_OR_RETURN(auto replaces, store::PendingReplaces(db, contact.id));
  if (replaces) return std::optional<int64_t>(contact.id);
  return store::PendingReplacementOf(db, contact.id);
}

Result<std::optional<int64_t>> Engine::ConfirmPendingLocked(const store::Contact& contact) {
  store::Database& db = profile_.db();
  uint64_t generation = 0;
  std::optional<int64_t> known;
  {
    ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
    ATTUNE_ASSIGN_OR_RETURN(std::optional<int64_t> pending, PendingOfLocked(contact));
    if (!pending) return std::optional<int64_t>{};
    ATTUNE_ASSIGN_OR_RETURN(known, store::ConfirmPending(db, *pending));
    // The known contact's session changed: a restored copy from before this
    // must be recognised like after any other session change.
    ATTUNE_ASSIGN_OR_RETURN(generation, profile_.BumpGeneration());
    ATTUNE_RETURN_IF_ERROR(tx.Commit());
  }
  profile_.ConfirmAnchor(generation);
  return known;
}

Status Engine::DeclinePending(std::string_view name) {
  std::lock_guard lock(mu_);
  store::Database& db = profile_.db();
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(name));
  ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
  ATTUNE_ASSIGN_OR_RETURN(std::optional<int64_t> pending, PendingOfLocked(contact));
  if (!pending) {
    return MakeError(ErrorCode::kNotFound, "no re-pairing of " + contact.name + " is pending");
  }
  ATTUNE_RETURN_IF_ERROR(store::DiscardPending(db, *pending));
  return tx.Commit();
}

}  // namespace attune::client
