// The therapy state of a profile, derived from its encrypted history: who
// sent which schedule, office hours and crisis resources last, which
// urgent check-ins were acknowledged, which sent messages were delivered.
//
// Nothing here has its own table: the latest message of each kind wins,
// and acknowledgements live in the settings table under
// "therapy/ack/<message id hex>" (docs/design/therapy.md, "State").
// Internal to the engine (engine.h), which holds its lock around every call.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "attune/client/context.h"
#include "attune/client/store/records.h"
#include "attune/client/therapy/history.h"
#include "attune/therapy/content.h"
#include "attune/therapy/time_zone.h"

namespace attune::client {

struct StoredContent {
  store::MessageRecord record{};
  therapy::ValidatedContent content{};

  bool incoming() const { return record.direction == store::Direction::kIncoming; }
};

// Where the therapist's current settings are kept (serialised Content in the
// settings table): sent to each new client when pairing completes.
inline constexpr std::string_view kOfficeHoursSetting = "therapy/office_hours";
inline constexpr std::string_view kResourcesSetting = "therapy/crisis_resources";

// A conversation "starts" when this device sent nothing to the contact for
// this long; the client is then reminded of reply times and resources.
inline constexpr int64_t kConversationGapSeconds = int64_t{12} * 3600;

// Every parseable message with one contact, oldest first. Rows that do not
// parse as therapy content (client-layer messages) are skipped.
Result<std::vector<StoredContent>> LoadConversation(store::Database& db, int64_t contact_id);

// The newest message of body type T in the given direction, if any.
template <typename T>
const StoredContent* Latest(const std::vector<StoredContent>& conversation, bool incoming) {
  for (auto it = conversation.rbegin(); it != conversation.rend(); ++it) {
    if (it->incoming() == incoming && std::holds_alternative<T>(it->content.body)) return &*it;
  }
  return nullptr;
}

// Urgent-flag acknowledgements (therapist side).
Result<std::optional<int64_t>> AcknowledgedAt(store::Database& db, const therapy::MessageId& id);
Status Acknowledge(store::Database& db, const therapy::MessageId& id, int64_t now);

// An incoming check-in that this device's rules (or the sender) flag urgent.
bool IsUrgentCheckIn(const StoredContent& message);

// Message ids of ours that the peer's delivery receipts confirmed.
std::set<therapy::MessageId> DeliveredIds(const std::vector<StoredContent>& conversation);

// Texts and check-ins with delivery and acknowledgement state.
Result<therapy::ConversationExport> BuildConversationExport(Context& ctx,
                                                            const store::Contact& contact,
                                                            std::string_view self_role);

// Validates (exactly as the receiver will) and serialises a new content.
Result<Bytes> NewTherapyContent(Context& ctx, therapy::ContentBody body);

// A zone by IANA name; UTC for an empty name or one this device lacks.
std::unique_ptr<therapy::TimeZoneRules> ZoneOrUtc(const std::string& name);
// This device's zone (TZ, /etc/localtime), UTC if it cannot be loaded.
std::unique_ptr<therapy::TimeZoneRules> DeviceZone();
// "Tue 2026-03-10 20:00 (America/New_York)".
std::string FormatInZone(const therapy::TimeZoneRules& zone, int64_t utc);

}  // namespace attune::client
