// Engine queries a windowed front end needs beyond the CLI's (engine.h,
// "desktop queries"): the contact list's order and reading a conversation.
#include <algorithm>
#include <cstdlib>

#include "attune/client/engine.h"
#include "attune/client/profile_location.h"
#include "attune/client/store/records.h"

namespace attune::client {

Result<std::string> DefaultProfileDir() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && *xdg == '/') return std::string(xdg) + "/attune";
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home != '/') {
    return MakeError(ErrorCode::kNotFound, "cannot find a home directory; pass --profile DIR");
  }
  return std::string(home) + "/.local/share/attune";
}

Result<std::vector<ContactView>> Engine::ContactsByAttention() {
  ATTUNE_ASSIGN_OR_RETURN(std::vector<ContactView> contacts, Contacts());
  std::stable_sort(contacts.begin(), contacts.end(),
                   [](const ContactView& a, const ContactView& b) {
                     if (a.urgent_unacknowledged != b.urgent_unacknowledged) {
                       return a.urgent_unacknowledged > b.urgent_unacknowledged;
                     }
                     if (a.unread != b.unread) return a.unread > b.unread;
                     return a.name < b.name;
                   });
  return contacts;
}

Result<size_t> Engine::MarkConversationRead(std::string_view contact_name) {
  std::lock_guard lock(mu_);
  store::Database& db = profile_.db();
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(contact_name));
  ATTUNE_ASSIGN_OR_RETURN(auto rows, store::ListMessages(db, contact.id));
  size_t changed = 0;
  ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
  for (const store::MessageRecord& m : rows) {
    if (m.direction != store::Direction::kIncoming || m.read) continue;
    ATTUNE_RETURN_IF_ERROR(store::MarkRead(db, m.id));
    ++changed;
  }
  ATTUNE_RETURN_IF_ERROR(tx.Commit());
  return changed;
}

}  // namespace attune::client
