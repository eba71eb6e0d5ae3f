// Engine: lifetime, observers, contacts, pairing, sending and the lists a
// person reads. Receiving is in engine_receive.cc, sync in engine_sync.cc,
// practice settings in engine_practice.cc.
#include "attune/client/engine.h"

#include <map>
#include <set>

#include "attune/client/content_view.h"
#include "attune/client/history_items.h"
#include "attune/client/message_index.h"
#include "attune/client/messaging.h"
#include "attune/client/routing.h"
#include "attune/client/store/message_index.h"
#include "attune/client/store/pending.h"
#include "attune/client/store/records.h"
#include "attune/client/therapy_state.h"
#include "attune/e2e/safety_number.h"
#include "attune/therapy/check_in.h"

namespace attune::client {
namespace {

SendBlock SendBlockOf(const store::Contact& contact) {
  if (contact.identity_changed) return SendBlock::kIdentityChanged;
  // The store keeps the reason as text: "declined" (an expired re-pairing,
  // store/pending.h) or "rollback" (Profile::Open); any other blocks too.
  if (contact.send_block == store::kDeclinedSendBlock) return SendBlock::kDeclined;
  if (!contact.send_block.empty()) return SendBlock::kRollback;
  return SendBlock::kNone;
}

Error BlockedError(SendBlock block, Role self, const std::string& name) {
  std::string advice = SendBlockAdvice(block, self, name);
  if (block == SendBlock::kIdentityChanged) {
    return MakeError(ErrorCode::kIdentityChanged, "refusing to send: " + advice);
  }
  return MakeError(ErrorCode::kInvalidArgument, "refusing to send: " + advice);
}

}  // namespace

std::string SendBlockAdvice(SendBlock block, Role self, std::string_view contact_name) {
  const std::string name(contact_name);
  switch (block) {
    case SendBlock::kNone:
      return "";
    case SendBlock::kIdentityChanged:
      return name +
             "'s identity key has changed since you paired. Compare safety numbers in person or "
             "by phone (`attune verify " +
             name + "`), then run `attune verify " + name + " --confirm`";
    case SendBlock::kPendingReplacement:
      return name +
             " is a new pairing that would replace a known contact and replaces nothing until "
             "you confirm it: compare safety numbers (`attune verify " +
             name + "`), then run `attune verify " + name +
             " --confirm` (or drop it with `attune verify " + name + " --decline`)";
    case SendBlock::kDeclined:
      return name +
             " was a re-pairing that nobody confirmed in time, so it was declined; it is kept "
             "only so you can read what it sent. " +
             (self == Role::kTherapist ? "To pair with this person, invite them again"
                                       : "To pair again, ask your therapist for a new invitation");
    case SendBlock::kRollback:
      return "this profile's database was restored from an older copy, so its encryption keys "
             "for " +
             name + " may already have been used. " +
             (self == Role::kTherapist
                  ? "Invite them again (`attune invite --replaces " + name +
                        "`) and give them the new invitation"
                  : "Ask your therapist for a new invitation, then run `attune accept CODE`") +
             " (docs/security/client.md)";
  }
  return "";
}

Engine::Engine(store::Profile profile, crypto::RandomSource& random, Clock now)
    : dir_(profile.dir()),
      profile_(std::move(profile)),
      random_(random),
      now_(std::move(now)),
      ctx_{profile_, random_, now_},
      rollback_detected_(profile_.rollback_detected()),
      pool_(random_) {}

Engine::~Engine() { StopBackgroundSync(); }

Result<std::unique_ptr<Engine>> Engine::Open(const std::string& dir, ByteView passphrase,
                                             EngineOptions options) {
  crypto::RandomSource& random = options.random ? *options.random : crypto::SystemRandom();
  ATTUNE_ASSIGN_OR_RETURN(store::Profile profile,
                          store::Profile::Open(dir, passphrase, options.integrity_check));
  std::unique_ptr<Engine> engine(new Engine(std::move(profile), random, std::move(options.now)));
  engine->integrity_checked_ = options.integrity_check == store::IntegrityCheck::kAtOpen;
  ATTUNE_ASSIGN_OR_RETURN(engine->account_, LoadAccount(engine->profile_.db()));
  return engine;
}

Result<std::unique_ptr<Engine>> Engine::Create(const std::string& dir, ByteView passphrase,
                                               store::KdfStrength strength,
                                               const AccountInfo& account,
                                               const std::optional<ClinicRelay>& relay,
                                               EngineOptions options) {
  crypto::RandomSource& random = options.random ? *options.random : crypto::SystemRandom();
  ATTUNE_RETURN_IF_ERROR(ValidateDisplayName(account.display_name));
  std::optional<store::Profile> profile;
  {
    ATTUNE_ASSIGN_OR_RETURN(store::Profile created,
                            store::Profile::Create(dir, passphrase, strength, random));
    profile.emplace(std::move(created));
  }
  Status initialized = InitializeAccount(profile->db(), account, relay, random);
  if (!initialized.ok()) {
    // Leave no half-made profile behind (closed first, then deleted).
    profile.reset();
    (void)store::Profile::Wipe(dir);
    return initialized.error();
  }
  std::unique_ptr<Engine> engine(new Engine(std::move(*profile), random, std::move(options.now)));
  engine->account_ = account;
  return engine;
}

Status Engine::CheckIntegrity() {
  std::lock_guard lock(mu_);
  ATTUNE_RETURN_IF_ERROR(profile_.CheckIntegrity());
  integrity_checked_ = true;
  return Status::Ok();
}

Status Engine::ChangePassphrase(ByteView new_passphrase,
                                const std::function<void(int)>& after_step) {
  std::lock_guard lock(mu_);
  return profile_.ChangePassphrase(new_passphrase, random_, after_step);
}

// ---- observers ----

uint64_t Engine::Subscribe(std::shared_ptr<EngineObserver> observer) {
  std::lock_guard lock(observers_mu_);
  const uint64_t id = next_observer_++;
  observers_.emplace_back(id, std::move(observer));
  return id;
}

void Engine::Unsubscribe(uint64_t id) {
  std::lock_guard lock(observers_mu_);
  std::erase_if(observers_, [id](const auto& entry) { return entry.first == id; });
}

void Engine::Emit(const Event& event) {
  std::lock_guard lock(observers_mu_);
  for (const auto& [id, observer] : observers_) observer->OnEvent(event);
}

void Engine::EmitAll(const std::vector<Event>& events) {
  for (const Event& e : events) Emit(e);
}

// ---- contacts and pairing ----

Result<store::Contact> Engine::ContactLocked(std::string_view name) {
  auto contact = store::GetContactByName(profile_.db(), name);
  if (!contact.ok() && contact.error().code == ErrorCode::kNotFound) {
    return MakeError(ErrorCode::kNotFound, "no contact named \"" + SanitizeForTerminal(name) +
                                               "\" (see `attune contacts`)");
  }
  return contact;
}

Result<std::vector<ContactView>> Engine::Contacts() {
  std::lock_guard lock(mu_);
  store::Database& db = profile_.db();
  ATTUNE_RETURN_IF_ERROR(IndexLocked());
  ATTUNE_ASSIGN_OR_RETURN(auto contacts, store::ListContacts(db));
  ATTUNE_ASSIGN_OR_RETURN(auto counts, store::CountsByContact(db));
  std::map<int64_t, store::ContactCounts> by_id(counts.begin(), counts.end());
  // Re-pairings: one query for the whole list, not two per contact.
  ATTUNE_ASSIGN_OR_RETURN(std::vector<store::PendingLink> links, store::ListPending(db));
  std::map<int64_t, int64_t> replaces_of;     // pending -> known
  std::map<int64_t, int64_t> replacement_of;  // known -> pending
  for (const store::PendingLink& l : links) {
    replaces_of[l.pending_id] = l.replaces;
    replacement_of[l.replaces] = l.pending_id;
  }
  std::map<int64_t, std::string> names;
  if (!links.empty()) {
    for (const store::Contact& c : contacts) names[c.id] = c.name;
  }
  std::vector<ContactView> out;
  out.reserve(contacts.size());
  for (const store::Contact& c : contacts) {
    ContactView v;
    v.id = c.id;
    v.name = c.name;
    v.display_name = c.display_name;
    v.verified = c.verified;
    v.send_block = SendBlockOf(c);
    if (const auto r = replaces_of.find(c.id); r != replaces_of.end()) {
      v.state = ContactState::kPendingReplacement;
      v.send_block = SendBlock::kPendingReplacement;
      v.replaces = names[r->second];
    }
    if (const auto p = replacement_of.find(c.id); p != replacement_of.end()) {
      v.pending_replacement = names[p->second];
    }
    const auto it = by_id.find(c.id);
    if (it != by_id.end()) {
      v.unread = it->second.unread;
      v.urgent_unacknowledged = it->second.urgent_open;
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<ContactView> Engine::Contact(std::string_view name) {
  ATTUNE_ASSIGN_OR_RETURN(auto all, Contacts());
  for (ContactView& v : all) {
    if (v.name == name) return std::move(v);
  }
  return MakeError(ErrorCode::kNotFound, "no contact named \"" + SanitizeForTerminal(name) +
                                             "\" (see `attune contacts`)");
}

Result<InvitationOutput> Engine::Invite(const InviteRequest& request) {
  std::lock_guard lock(mu_);
  return CreateInvitation(ctx_, pool_, request.local_name, request.replaces,
                          request.lifetime_seconds);
}

Result<AcceptOutput> Engine::Accept(std::string_view invitation_text,
                                    std::optional<std::string> local_name) {
  std::vector<Event> events;
  Result<AcceptOutput> out = MakeError(ErrorCode::kInternal, "not accepted");
  {
    std::lock_guard lock(mu_);
    out = AcceptInvitation(ctx_, pool_, invitation_text, std::move(local_name));
    if (out.ok()) {
      auto contact = store::GetContactByName(profile_.db(), out->contact_name);
      const int64_t id = contact.ok() ? contact->id : 0;
      events.emplace_back(
          ContactChanged{id, out->contact_name, ContactChanged::Change::kPaired, ""});
      if (out->identity_changed) {
        events.emplace_back(
            ContactChanged{id, out->contact_name, ContactChanged::Change::kIdentityChanged, ""});
      }
    }
  }
  EmitAll(events);
  return out;
}

Result<Engine::SafetyNumberView> Engine::SafetyNumber(std::string_view name) {
  std::lock_guard lock(mu_);
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(name));
  ATTUNE_ASSIGN_OR_RETURN(e2e::Identity self, LoadIdentity(profile_.db()));
  ATTUNE_ASSIGN_OR_RETURN(e2e::PublicIdentity peer,
                          e2e::PublicIdentity::Parse(contact.identity_key));
  return SafetyNumberView{e2e::SafetyNumber::Compute(self.public_identity(), peer).digits(),
                          contact.identity_changed};
}

// MarkVerified and DeclinePending: engine_pending.cc.

// ---- sending ----

SyncReport Engine::FlushLocked() {
  SyncReport report;
  FlushReport flush = FlushOutbox(ctx_, pool_);
  report.sent = flush.sent;
  report.pending = flush.pending;
  report.pending_reason = flush.last_error;
  return report;
}

SyncReport Engine::Flush() {
  std::lock_guard lock(mu_);
  return FlushLocked();
}

Result<SendResult> Engine::QueueAndUploadLocked(const store::Contact& contact, ByteView content,
                                                bool with_notice, std::vector<Event>& events) {
  (void)events;
  SendBlock block = SendBlockOf(contact);
  ATTUNE_ASSIGN_OR_RETURN(auto replaces, store::PendingReplaces(profile_.db(), contact.id));
  if (replaces) block = SendBlock::kPendingReplacement;
  if (block != SendBlock::kNone) return BlockedError(block, account_.role, contact.name);
  SendResult result;
  ATTUNE_ASSIGN_OR_RETURN(result.message_id, QueueMessage(ctx_, contact.name, content));
  if (with_notice) result.notice = SendNoticeLocked(contact);
  SyncReport flush = FlushLocked();
  result.uploaded = flush.pending == 0 && flush.pending_reason.empty();
  result.pending_reason = flush.pending_reason;
  return result;
}

Result<SendResult> Engine::SendText(std::string_view contact_name, std::string_view text) {
  std::vector<Event> events;
  Result<SendResult> out = MakeError(ErrorCode::kInternal, "not sent");
  {
    std::lock_guard lock(mu_);
    ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(contact_name));
    ATTUNE_ASSIGN_OR_RETURN(Bytes content,
                            NewTherapyContent(ctx_, therapy::TextMessage{std::string(text)}));
    out = QueueAndUploadLocked(contact, content, true, events);
  }
  EmitAll(events);
  return out;
}

Result<SendResult> Engine::SendCheckIn(std::string_view contact_name, therapy::CheckIn check_in) {
  std::vector<Event> events;
  Result<SendResult> out = MakeError(ErrorCode::kInternal, "not sent");
  {
    std::lock_guard lock(mu_);
    if (account_.role != Role::kClient) {
      return MakeError(ErrorCode::kInvalidArgument, "check-ins are sent by clients");
    }
    ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(contact_name));
    ATTUNE_ASSIGN_OR_RETURN(Bytes content, NewTherapyContent(ctx_, std::move(check_in)));
    out = QueueAndUploadLocked(contact, content, false, events);
  }
  EmitAll(events);
  return out;
}

// ---- lists ----

Status Engine::IndexLocked() {
  ATTUNE_ASSIGN_OR_RETURN(auto delivered, IndexNewMessages(profile_.db()));
  (void)delivered;  // nobody waits for these events outside a delivery
  return Status::Ok();
}

Result<std::vector<InboxItem>> Engine::Inbox(size_t limit, bool mark_read) {
  std::lock_guard lock(mu_);
  store::Database& db = profile_.db();
  ATTUNE_RETURN_IF_ERROR(IndexLocked());
  ATTUNE_ASSIGN_OR_RETURN(auto names, store::ListContactNames(db));
  ATTUNE_ASSIGN_OR_RETURN(auto rows, store::ListInboxIndexed(db, limit));
  std::vector<InboxItem> out;
  out.reserve(rows.size());
  for (store::ListedMessage& m : rows) {
    InboxItem item;
    item.message_id = m.id;
    item.contact_id = m.contact_id;
    const auto name = names.find(m.contact_id);
    item.contact_name = name != names.end() ? name->second : std::string("?");
    item.received_at = m.created_at;
    item.read = m.read;
    item.urgent = m.urgent_open;
    item.kind = KindFromStored(m.kind);
    item.summary = std::move(m.summary);
    out.push_back(std::move(item));
  }
  if (mark_read) {
    // Relaxed (store/sqlite.h): a read mark lost to a power cut costs nothing.
    ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx,
                            store::Transaction::Begin(db, store::Durability::kRelaxed));
    for (const InboxItem& item : out) {
      if (!item.read) ATTUNE_RETURN_IF_ERROR(store::MarkRead(db, item.message_id));
    }
    ATTUNE_RETURN_IF_ERROR(tx.Commit());
  }
  return out;
}

Result<std::vector<HistoryItem>> Engine::History(std::string_view contact_name) {
  std::lock_guard lock(mu_);
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(contact_name));
  ATTUNE_RETURN_IF_ERROR(IndexLocked());
  // Receipts are bookkeeping, not conversation: their effect is the
  // delivered column of the rows they name (one source of truth).
  ATTUNE_ASSIGN_OR_RETURN(
      auto rows,
      store::ListConversationIndexed(profile_.db(), contact.id, StoredKind(MessageKind::kReceipt)));
  return HistoryItemsOf(profile_.db(), contact.id, std::move(rows));
}

}  // namespace attune::client
