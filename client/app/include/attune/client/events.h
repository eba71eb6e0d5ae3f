// What the engine reports to front ends (engine.h): typed events, one per
// thing a person could notice, delivered to every subscribed observer.
//
// Threads: an observer is called on the thread that caused the event — the
// engine's background-sync thread for deliveries and connection changes
// while it runs (Engine::StartBackgroundSync), otherwise the thread that
// called the engine (SyncOnce, Send*, Invite, ...). Calls never overlap for
// one engine: events are delivered one at a time, in the order they
// happened, and never while the engine holds its own lock, so an observer
// may call back into the engine's queries. A GUI forwards each event to its
// own thread (e.g. a queued Qt signal) and returns quickly. An observer must
// not call StopBackgroundSync() or destroy the engine from inside OnEvent.
//
// Events never carry secrets. They carry plaintext summaries (what the
// screen shows anyway); a front end must not log them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "attune/base/result.h"
#include "attune/client/therapy/check_in_card.h"

namespace attune::client {

// What a stored message is, for lists and counters.
enum class MessageKind {
  kText,
  kCheckIn,
  kSchedule,         // a therapist's check-in schedule
  kOfficeHours,      // a therapist's office hours / expected reply time
  kCrisisResources,  // a therapist's crisis resources
  kReceipt,          // a delivery receipt (bookkeeping, never shown as a message)
  kUnknown,          // bytes this version cannot show
};

// A text or check-in arrived and was stored (after commit and relay ack).
struct MessageReceived {
  int64_t contact_id = 0;
  std::string contact_name{};  // local name; raw, sanitise before printing
  int64_t message_id = 0;      // history row
  MessageKind kind = MessageKind::kText;
  std::string summary{};  // one line: the text, or "[check-in: ...]"
  int64_t received_at = 0;
  // From a pending re-pairing (ContactState::kPendingReplacement) of the
  // known contact named here: kept, but not from that contact until
  // confirmed. Empty otherwise.
  std::string pending_replaces{};
  // kCheckIn: what its card in a conversation says (check_in_card.h).
  std::optional<therapy::CheckInCard> check_in{};
};

// A check-in arrived (also reported as MessageReceived). urgent: PHQ-9
// item 9 above 0, "I need help now", or the sender's own urgent claim; it
// stays first in the inbox until Engine::AcknowledgeUrgent.
struct CheckInReceived {
  int64_t contact_id = 0;
  std::string contact_name{};
  int64_t message_id = 0;
  bool urgent = false;
  std::string risk{};       // urgent: why, in words ("PHQ-9 item 9 answered 2")
  std::string filled_at{};  // "2026-03-10 20:05 (UTC-05:00)"
};

// The peer's device confirmed it stored these messages of ours (a delivery
// receipt). Never says whether anyone read them.
struct MessagesDelivered {
  int64_t contact_id = 0;
  std::string contact_name{};
  std::vector<int64_t> message_ids{};  // our history rows
};

// A contact appeared or changed state.
struct ContactChanged {
  enum class Change {
    kPaired,           // a new contact (or a re-pairing) completed
    kIdentityChanged,  // their identity key changed: sending is blocked until verified
    kVerified,         // safety number confirmed here
    kPracticeUpdated,  // the therapist's schedule, hours or resources changed
    // A re-pairing nobody confirmed in time was declined by the engine:
    // contact_name is the pending contact (kept, readable, blocked for
    // good); the known contact it would have replaced is unchanged.
    kPendingExpired,
  };
  int64_t contact_id = 0;
  std::string contact_name{};
  Change change = Change::kPaired;
  // kPracticeUpdated: what changed, in words ("Office hours are now Mon-Fri
  // 09:00-17:00 (Europe/Berlin). Usually replies within 24 hours.").
  // kPendingExpired: what happened, in words.
  std::string description{};
};

enum class ConnectionState { kConnecting, kConnected, kDisconnected };

// Background sync only: the link to one relay went up or down. Deliveries
// resume by themselves after a reconnect (with backoff).
struct ConnectionChanged {
  std::string relay{};  // "host:port"
  ConnectionState state = ConnectionState::kDisconnected;
  std::string detail{};  // why it went down, when known
};

// Something failed or was refused without stopping the engine: a message
// that could not be decrypted (dropped and acknowledged), an outbox upload
// that failed (it stays queued), a local database error in the background.
struct EngineError {
  enum class Kind {
    kDropped,      // an incoming message was discarded
    kStillQueued,  // outgoing messages wait for the relay
    kLocal,        // a local failure (database, disk); background sync keeps trying
  };
  Kind kind = Kind::kLocal;
  ErrorCode code = ErrorCode::kInternal;
  std::string message{};
};

using Event = std::variant<MessageReceived, CheckInReceived, MessagesDelivered, ContactChanged,
                           ConnectionChanged, EngineError>;

// Subscribe with Engine::Subscribe. See the thread rules at the top.
class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  virtual void OnEvent(const Event& event) = 0;
};

}  // namespace attune::client
