// The message index (schema version 2): what the inbox, the contact list
// and a conversation show, kept in columns beside each message so that no
// list parses stored content. The values are derived from the content by
// the engine (client/app message_index.h), which the store never parses:
// rows are inserted unindexed (kind NULL) and the engine indexes them before
// it lists anything. Derived data: a lost index write (power cut during a
// relaxed transaction) is recomputed from the content.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/client/store/records.h"
#include "attune/client/store/sqlite.h"

namespace attune::client::store {

struct MessageIndex {
  int64_t kind = 0;           // the engine's stable code for the content type
  bool listed = false;        // a person reads it (texts, check-ins, unknown)
  bool urgent = false;        // an incoming urgent check-in
  bool acknowledged = false;  // urgent and acknowledged by the therapist
  Bytes content_id{};         // the content's message id (receipts, acks)
  std::string summary{};      // one line for lists
};

struct UnindexedMessage {
  int64_t id = 0;
  int64_t contact_id = 0;
  Direction direction = Direction::kIncoming;
  Bytes content{};
};
// Rows with no index yet, oldest first, at most `limit`.
Result<std::vector<UnindexedMessage>> ListUnindexed(Database& db, size_t limit);
// Writes index columns; prepares its statement once for a whole batch.
class MessageIndexWriter {
 public:
  static Result<MessageIndexWriter> Prepare(Database& db);
  Status Set(int64_t message_id, const MessageIndex& index);

 private:
  explicit MessageIndexWriter(Statement update) : update_(std::move(update)) {}
  Statement update_{};
};

// Our outgoing rows to `contact_id` whose content ids are in `content_ids`:
// marks them delivered and returns their row ids (ascending).
Result<std::vector<int64_t>> MarkDelivered(Database& db, int64_t contact_id,
                                           const std::vector<Bytes>& content_ids);
// Urgent rows of `contact_id` not yet acknowledged: content ids, oldest first.
Result<std::vector<Bytes>> OpenUrgentContentIds(Database& db, int64_t contact_id);
Status MarkAcknowledged(Database& db, int64_t contact_id, ByteView content_id);

struct ListedMessage {
  int64_t id = 0;
  int64_t contact_id = 0;
  bool outgoing = false;
  int64_t created_at = 0;
  bool read = false;
  bool sent = false;
  bool delivered = false;
  bool urgent_open = false;  // urgent and not acknowledged
  int64_t kind = 0;
  std::string summary{};
};
// Incoming urgent unacknowledged rows, oldest first (all of them), then
// other listed incoming rows, unread first then oldest first, at most
// `limit` of those. Indexed rows only.
Result<std::vector<ListedMessage>> ListInboxIndexed(Database& db, size_t limit);
// Indexed rows of one conversation except those of kind `hidden_kind`
// (receipts), oldest first.
Result<std::vector<ListedMessage>> ListConversationIndexed(Database& db, int64_t contact_id,
                                                           int64_t hidden_kind);
// One page of that: the newest `limit` such rows with id < before_id (0:
// no bound), oldest first; one more row than asked says older ones remain.
Result<std::vector<ListedMessage>> ListConversationPage(Database& db, int64_t contact_id,
                                                        int64_t hidden_kind, int64_t before_id,
                                                        size_t limit);

// Content of one conversation's rows of kind `kind` with ids in
// [first_id, last_id] (the check-ins of a page, for their cards), oldest
// first. Uses the per-contact index; reads only those rows.
struct StoredContentRow {
  int64_t id = 0;
  Bytes content{};
};
Result<std::vector<StoredContentRow>> ListContentOfKind(Database& db, int64_t contact_id,
                                                        int64_t kind, int64_t first_id,
                                                        int64_t last_id);

// Contact id -> local name, for lists (no secret columns are read).
Result<std::map<int64_t, std::string>> ListContactNames(Database& db);

struct ContactCounts {
  size_t unread = 0;
  size_t urgent_open = 0;
};
// Per contact id; contacts with nothing are absent.
Result<std::vector<std::pair<int64_t, ContactCounts>>> CountsByContact(Database& db);

}  // namespace attune::client::store
