// Sending: queue (one transaction), then upload (outbox flush).
#include <chrono>
#include <set>
#include <tuple>

#include "attune/client/messaging.h"
#include "attune/client/store/pending.h"
#include "attune/client/store/records.h"
#include "attune/e2e/session.h"
#include "attune/therapy/content.h"

namespace attune::client {
namespace {

constexpr size_t kFlushBatch = 256;

Status CheckSendable(const store::Contact& contact) {
  if (contact.identity_changed) {
    return MakeError(ErrorCode::kIdentityChanged,
                     "refusing to send: " + contact.name +
                         "'s identity key has changed since you paired. Compare safety numbers "
                         "in person or by phone (`attune verify " +
                         contact.name + "`), then run `attune verify " + contact.name +
                         " --confirm`");
  }
  if (contact.send_block == "rollback") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "refusing to send: this profile's database was restored from an older copy, "
                     "so its encryption keys for " +
                         contact.name +
                         " may already have been used. Pair again with a new invitation to "
                         "continue (docs/security/client.md)");
  }
  if (!contact.send_block.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "refusing to send to " + contact.name + ": " + contact.send_block);
  }
  return Status::Ok();
}

}  // namespace

uint64_t SystemNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Result<PreparedMessage> PrepareMessage(Context& ctx, const store::Contact& contact,
                                       ByteView content) {
  ATTUNE_RETURN_IF_ERROR(CheckSendable(contact));
  ATTUNE_ASSIGN_OR_RETURN(auto replaces, store::PendingReplaces(ctx.db(), contact.id));
  if (replaces) {
    return MakeError(ErrorCode::kIdentityChanged,
                     "refusing to send: " + contact.name +
                         " is a new pairing that would replace a known contact and is not "
                         "confirmed yet. Compare safety numbers (`attune verify " +
                         contact.name + "`), then run `attune verify " + contact.name +
                         " --confirm`");
  }
  ATTUNE_ASSIGN_OR_RETURN(crypto::SecretBytes state, store::GetSession(ctx.db(), contact.id));
  ATTUNE_ASSIGN_OR_RETURN(e2e::Session session, e2e::Session::Deserialize(state.view()));
  if (!session.can_send()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot send to " + contact.name + " before they have written first");
  }
  PreparedMessage out;
  ATTUNE_ASSIGN_OR_RETURN(out.wire, session.Encrypt(content, ctx.random));
  out.contact_id = contact.id;
  out.content.assign(content.begin(), content.end());
  Bytes state_bytes = session.Serialize();
  out.new_state = crypto::SecretBytes(state_bytes);
  crypto::SecureZero(state_bytes.data(), state_bytes.size());
  return out;
}

Result<int64_t> WritePreparedMessage(Context& ctx, const PreparedMessage& prepared,
                                     uint64_t* generation) {
  store::Database& db = ctx.db();
  const auto now = static_cast<int64_t>(ctx.now());
  store::MessageRecord record;
  record.contact_id = prepared.contact_id;
  record.direction = store::Direction::kOutgoing;
  record.content = prepared.content;
  record.created_at = now;
  record.read = true;
  ATTUNE_ASSIGN_OR_RETURN(const int64_t message_id, store::InsertMessage(db, record));
  ATTUNE_ASSIGN_OR_RETURN(
      int64_t outbox_row,
      store::InsertOutbox(db, store::OutboxEntry{0, prepared.contact_id, message_id, prepared.wire},
                          now));
  (void)outbox_row;
  ATTUNE_RETURN_IF_ERROR(
      store::PutSession(db, prepared.contact_id, prepared.new_state.view(), now));
  // One bump per transaction covers every ciphertext it commits.
  if (*generation == 0) {
    ATTUNE_ASSIGN_OR_RETURN(*generation, ctx.profile.BumpGeneration());
  }
  return message_id;
}

Result<int64_t> QueueMessage(Context& ctx, std::string_view contact_name, ByteView content) {
  ATTUNE_ASSIGN_OR_RETURN(auto ids, QueueMessages(ctx, {QueuedContent{contact_name, content}}));
  return ids.front();
}

Result<std::vector<int64_t>> QueueMessages(Context& ctx, const std::vector<QueuedContent>& items) {
  store::Database& db = ctx.db();
  uint64_t generation = 0;
  std::vector<int64_t> ids;
  ids.reserve(items.size());
  {
    ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
    for (const QueuedContent& item : items) {
      ATTUNE_ASSIGN_OR_RETURN(store::Contact contact,
                              store::GetContactByName(db, item.contact_name));
      ATTUNE_ASSIGN_OR_RETURN(PreparedMessage prepared, PrepareMessage(ctx, contact, item.content));
      ATTUNE_ASSIGN_OR_RETURN(int64_t id, WritePreparedMessage(ctx, prepared, &generation));
      ids.push_back(id);
    }
    ATTUNE_RETURN_IF_ERROR(tx.Commit());
  }
  ctx.profile.ConfirmAnchor(generation);
  return ids;
}

Result<int64_t> QueueText(Context& ctx, std::string_view contact_name, std::string_view text) {
  therapy::ValidatedContent content =
      therapy::NewContent(ctx.random, ctx.now(), therapy::TextMessage{std::string(text)});
  Bytes bytes = therapy::SerializeContent(content);
  // Validate exactly as the receiver will, so nothing invalid is sent.
  auto check = therapy::ParseContent(bytes);
  if (!check.ok()) return check.error();
  return QueueMessage(ctx, contact_name, bytes);
}

Status CreatePendingMailboxes(Context& ctx, RelayPool& pool) {
  ATTUNE_ASSIGN_OR_RETURN(auto mailboxes, store::ListMailboxes(ctx.db()));
  for (const store::OwnedMailbox& m : mailboxes) {
    if (!m.has_pending_ticket) continue;
    ATTUNE_ASSIGN_OR_RETURN(net::RelayConnection * relay, pool.Get(ToEndpoint(m.relay)));
    crypto::Ed25519KeyPair owner = crypto::Ed25519KeyPairFromSeed(m.owner_seed.span());
    Status created = relay->CreateMailbox(
        m.mailbox_id, owner.public_key, net::ComputeSendCapabilityHash(m.send_capability.span()),
        net::CreateAuthorization::Ticket(m.pending_ticket.span()));
    // The id is 32 random bytes of ours: "exists" means an earlier attempt
    // of ours got through before a crash.
    if (!created.ok() && created.error().code != ErrorCode::kAlreadyExists) {
      if (net::IsRetryable(created.error())) pool.Drop(ToEndpoint(m.relay));
      return created;
    }
    ATTUNE_RETURN_IF_ERROR(store::MarkMailboxCreated(ctx.db(), m.row));
  }
  return Status::Ok();
}

FlushReport FlushOutbox(Context& ctx, RelayPool& pool) {
  FlushReport report;
  Status pending = CreatePendingMailboxes(ctx, pool);
  if (!pending.ok()) report.last_error = pending.error().message;
  auto rows = store::ListUnsent(ctx.db(), kFlushBatch);
  if (!rows.ok()) {
    report.last_error = rows.error().message;
    return report;
  }
  // A relay that cannot be reached holds back every row for it; a refusal
  // about one mailbox (e.g. kNotFound: the peer deleted it after re-pairing
  // elsewhere) holds back only that contact's rows, in order.
  std::set<std::tuple<std::string, uint16_t, ByteArray<32>>> failed;
  std::set<int64_t> refused;
  while (!rows->empty()) {
    for (const store::OutboxEntry& row : *rows) {
      auto contact = store::GetContact(ctx.db(), row.contact_id);
      if (!contact.ok()) {
        report.last_error = contact.error().message;
        ++report.pending;
        continue;
      }
      const store::RelayRoute& route = contact->peer_relay;
      auto key = std::make_tuple(route.host, route.port, route.relay_public_key);
      if (failed.count(key) != 0 || refused.count(row.contact_id) != 0) {
        ++report.pending;
        continue;
      }
      auto relay = pool.Get(ToEndpoint(route));
      Result<uint64_t> sent = relay.ok()
                                  ? (*relay)->Send(contact->peer_mailbox_id,
                                                   contact->peer_send_capability.span(), row.wire)
                                  : Result<uint64_t>(relay.error());
      if (!sent.ok()) {
        report.last_error = sent.error().message;
        ++report.pending;
        if (net::IsRetryable(sent.error())) {
          pool.Drop(ToEndpoint(route));
          failed.insert(key);
        } else {
          refused.insert(row.contact_id);
        }
        continue;
      }
      Status marked = store::MarkSent(ctx.db(), row.id, *sent, static_cast<int64_t>(ctx.now()));
      if (!marked.ok()) {
        report.last_error = marked.error().message;
        return report;
      }
      ++report.sent;
    }
    if (!failed.empty() || !refused.empty() || rows->size() < kFlushBatch) break;
    rows = store::ListUnsent(ctx.db(), kFlushBatch);
    if (!rows.ok()) {
      report.last_error = rows.error().message;
      break;
    }
  }
  return report;
}

}  // namespace attune::client
