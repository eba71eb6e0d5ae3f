// The therapy state of a profile, derived from its encrypted history: who
// sent which schedule, office hours and crisis resources last, which
// urgent check-ins were acknowledged, which sent messages were delivered.
//
// Nothing here has its own table: the latest message of each kind wins,
// and acknowledgements live in the settings table under
// "therapy/ack/<message id hex>" (docs/design/therapy.md, "State"). All
// calls use the profile's database on the calling thread.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "attune/client/account.h"
#include "attune/client/context.h"
#include "attune/client/messaging.h"
#include "attune/client/store/records.h"
#include "attune/client/therapy/history.h"
#include "attune/therapy/content.h"

namespace attune::cli {

struct StoredContent {
  client::store::MessageRecord record{};
  therapy::ValidatedContent content{};

  bool incoming() const { return record.direction == client::store::Direction::kIncoming; }
};

// Where the therapist's current settings are kept (serialised Content in the
// settings table): shown by `attune hours` / `attune resources` and sent
// to each new client when pairing completes.
inline constexpr std::string_view kOfficeHoursSetting = "therapy/office_hours";
inline constexpr std::string_view kResourcesSetting = "therapy/crisis_resources";

// Every parseable message with one contact, oldest first. Rows that do not
// parse as therapy content (client-layer messages) are skipped.
Result<std::vector<StoredContent>> LoadConversation(client::Context& ctx, int64_t contact_id);

// The newest message of body type T in the given direction, if any.
template <typename T>
const StoredContent* Latest(const std::vector<StoredContent>& conversation, bool incoming) {
  for (auto it = conversation.rbegin(); it != conversation.rend(); ++it) {
    if (it->incoming() == incoming && std::holds_alternative<T>(it->content.body)) return &*it;
  }
  return nullptr;
}

// Crisis resources the therapist sent this client, else the default US set.
therapy::CrisisResourceSet ResourcesFrom(const std::vector<StoredContent>& conversation);

// Urgent-flag acknowledgements (therapist side).
Result<std::optional<int64_t>> AcknowledgedAt(client::store::Database& db,
                                              const therapy::MessageId& id);
Status Acknowledge(client::store::Database& db, const therapy::MessageId& id, int64_t now);

// An incoming check-in that is urgent and not yet acknowledged.
bool IsUrgentCheckIn(const StoredContent& message);

// History rows of outgoing messages to this contact that a delivery receipt
// has confirmed (`attune history` marks them "(delivered)").
Result<std::set<int64_t>> DeliveredRows(client::Context& ctx, int64_t contact_id);

// Texts and check-ins with delivery and acknowledgement state, for
// `attune checkins` and `attune export`.
Result<therapy::ConversationExport> BuildConversationExport(client::Context& ctx,
                                                            const client::store::Contact& contact);

// Validates (exactly as the receiver will) and queues content for a
// contact; returns the history row. Errors: those of client::QueueMessage
// and therapy::ParseContent.
Result<int64_t> QueueTherapyContent(client::Context& ctx, std::string_view contact_name,
                                    therapy::ContentBody body);

// ---- hooks called from the client's own commands ----

// `attune inbox`: drops receipts from the listing (marking them read),
// moves urgent, unacknowledged check-ins (read or not) to the front, then
// keeps at most `limit` entries besides them: every urgent one is listed,
// whatever the count. Returns the history row ids of those urgent items so
// the listing can flag them.
Result<std::set<int64_t>> PrepareInbox(client::Context& ctx,
                                       std::vector<client::store::MessageRecord>& messages,
                                       size_t limit);

// `attune sync` / `attune watch`, for each processed delivery: queues a
// delivery receipt for a received text or check-in (sent with the next
// outbox flush), marks incoming receipts read, and prints urgent check-ins
// prominently. Returns true if it printed (or deliberately hid) the event,
// false if the caller should print it as usual.
bool HandleTherapyEvent(client::Context& ctx, const client::ReceivedEvent& event);

// `attune send`, after queuing a message to contact_name: on a client's
// device, the therapist's expected reply time and crisis resources when a
// conversation starts (nothing sent by this device for 12 hours), and the
// local auto-reply when the therapist is outside office hours. Empty if
// nothing applies.
std::string SendNotice(client::Context& ctx, std::string_view contact_name);

}  // namespace attune::cli
