// The client engine: the one client core every front end drives (the
// `attune` CLI, the desktop app). It owns the unlocked profile, the relay
// connections and every protocol behaviour — delivery receipts, the
// therapist's settings and crisis-resources push to new clients, the local
// auto-reply, urgent flags and their acknowledgement, schedules and due
// times, identity-change and rollback send blocks — and reports what happens
// as typed events (events.h). A front end turns input into these calls and
// events into output; it decides nothing.
//
// Lifetime: one Engine per unlocked profile. Destroying it stops background
// sync, closes relay connections and drops the keys (the profile's key lives
// in the database handle, which is closed).
//
// Threads: every method may be called from any thread. Database work is
// serialised on one internal lock; network waits of background sync happen
// outside it, so queries stay fast while the background thread waits for
// the relay. Calls that talk to the relay (Send*, Invite, Accept, SyncOnce,
// the practice setters) block the calling thread for the network round trip
// (bounded by kConnectTimeout and the relay request timeout): a GUI calls
// them off its own thread. Observers: see events.h.
//
// Errors are values; each call lists the codes a front end may act on. The
// messages are one clear sentence for a person; no caller needs to read them
// to decide anything.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "attune/base/result.h"
#include "attune/client/account.h"
#include "attune/client/check_ins.h"
#include "attune/client/context.h"
#include "attune/client/events.h"
#include "attune/client/pairing.h"
#include "attune/client/practice.h"
#include "attune/client/relay_pool.h"
#include "attune/client/store/profile.h"
#include "attune/client/therapy/history.h"
#include "attune/crypto/random.h"
#include "attune/net/reconnecting_relay.h"
#include "attune/therapy/content.h"

namespace attune::client {

// Why a contact cannot be written to (a type, not a message).
enum class SendBlock {
  kNone,
  kIdentityChanged,     // their key changed; compare safety numbers, then MarkVerified
  kRollback,            // this profile was restored from an older copy; pair again
  kPendingReplacement,  // a re-pairing of a known contact, not confirmed yet
  kDeclined,            // a re-pairing nobody confirmed in time (kPendingRePairingLifetimeSeconds)
};

// A contact is active, or a re-pairing of a known contact that replaces
// nothing until confirmed (MarkVerified) and is dropped by DeclinePending.
enum class ContactState {
  kActive,
  kPendingReplacement,
};

struct ContactView {
  int64_t id = 0;
  std::string name{};          // local name
  std::string display_name{};  // what they call themselves
  bool verified = false;
  SendBlock send_block = SendBlock::kNone;
  size_t unread = 0;                 // unread texts and check-ins
  size_t urgent_unacknowledged = 0;  // therapists: urgent check-ins not yet acknowledged
  ContactState state = ContactState::kActive;
  // kPendingReplacement: the local name of the known contact it would replace.
  std::string replaces{};
  // An active contact with a re-pairing waiting: the pending contact's name.
  std::string pending_replacement{};
};

// What to do about a send block, in words that fit this profile's role
// (a client cannot create invitations; a therapist can).
std::string SendBlockAdvice(SendBlock block, Role self, std::string_view contact_name);

struct InboxItem {
  int64_t message_id = 0;
  int64_t contact_id = 0;
  std::string contact_name{};
  int64_t received_at = 0;
  bool read = false;
  bool urgent = false;  // urgent and not acknowledged: listed first
  MessageKind kind = MessageKind::kText;
  std::string summary{};
};

struct HistoryItem {
  int64_t message_id = 0;
  bool outgoing = false;
  int64_t created_at = 0;
  MessageKind kind = MessageKind::kText;
  std::string summary{};
  // Outgoing only, from one source of truth: queued (not yet on the relay),
  // sent (the relay has it), delivered (the peer's device confirmed).
  enum class Status { kNone, kQueued, kSent, kDelivered } status = Status::kNone;
  // kCheckIn: what its card says (summary stays the one-line form).
  std::optional<therapy::CheckInCard> check_in{};
};

// After a Send*: whether it reached the relay, and what the person should be
// shown on this device (clients: the auto-reply outside office hours, the
// expected reply time and crisis resources when a conversation starts).
struct SendResult {
  int64_t message_id = 0;
  bool uploaded = false;         // the relay has it
  std::string pending_reason{};  // why not; it stays queued and is retried
  std::string notice{};          // multi-line text to show, or empty
};

struct SyncOptions {
  // Stop once no delivery arrived for this long (the relay pushes stored
  // messages right after Subscribe, so a short pause means "drained").
  std::chrono::milliseconds quiet{1500};
  // Hard bound on one sync, whatever the relay does.
  std::chrono::milliseconds max_duration{120000};
};

struct SyncReport {
  size_t new_messages = 0;      // texts and check-ins a person reads
  size_t paired = 0;            // new contacts
  size_t practice_updates = 0;  // schedules, hours, resources received
  size_t receipts = 0;          // delivery receipts (not counted as new)
  size_t duplicates = 0;
  size_t dropped = 0;
  size_t sent = 0;     // outbox rows uploaded
  size_t pending = 0;  // still queued
  std::string pending_reason{};
};

struct BackgroundSyncOptions {
  // Longest wait for one relay read; also bounds how quickly Stop returns.
  std::chrono::milliseconds poll{200};
  // Re-read the database for new mailboxes and unsent outbox rows (another
  // process may have queued or invited meanwhile).
  std::chrono::milliseconds rescan{2000};
  net::ReconnectPolicy reconnect{};
};

struct InviteRequest {
  std::optional<std::string> local_name{};
  std::optional<std::string> replaces{};
  uint64_t lifetime_seconds = kDefaultInvitationLifetimeSeconds;
};

struct EngineOptions {
  crypto::RandomSource* random = nullptr;  // default: the system CSPRNG; must outlive the engine
  Clock now = SystemNow;
  // kDeferred (the desktop app): Open skips the full page check so the
  // inbox shows at once; it runs first thing in background sync instead
  // (Engine::CheckIntegrity), before anything is fetched or written there.
  store::IntegrityCheck integrity_check = store::IntegrityCheck::kAtOpen;
};

class Engine {
 public:
  // Unlocks an existing profile. Errors: kNotFound (no profile in dir),
  // kAuthFailed (wrong passphrase — the only kAuthFailed), kInvalidArgument
  // (damaged or not an Attune profile), kUnsupportedVersion, kIoError.
  static Result<std::unique_ptr<Engine>> Open(const std::string& dir, ByteView passphrase,
                                              EngineOptions options = {});
  // Creates a profile and its account in one step. Errors: kAlreadyExists
  // (a profile is there; nothing touched), kInvalidArgument (bad name, a
  // therapist without relay, a client with one; nothing is left behind).
  static Result<std::unique_ptr<Engine>> Create(const std::string& dir, ByteView passphrase,
                                                store::KdfStrength strength,
                                                const AccountInfo& account,
                                                const std::optional<ClinicRelay>& relay,
                                                EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- observers ----
  // Returns an id for Unsubscribe. The engine keeps the pointer alive.
  uint64_t Subscribe(std::shared_ptr<EngineObserver> observer);
  // After it returns, the observer is not called again (waits for a call in
  // progress on another thread).
  void Unsubscribe(uint64_t id);

  // ---- account ----
  const AccountInfo& account() const { return account_; }
  // The database is older than the last one used here: every contact is
  // blocked (SendBlock::kRollback) until paired again.
  bool rollback_detected() const { return rollback_detected_; }
  const std::string& profile_dir() const { return dir_; }
  // Re-encrypts under a new passphrase (crash-safe; see store/profile.h).
  // `after_step` (tests only) is called after each step of the change.
  Status ChangePassphrase(ByteView new_passphrase, const std::function<void(int)>& after_step = {});

  // The full page check (store::Profile::CheckIntegrity): kInvalidArgument
  // when the database is damaged. Reads the whole file; call it off the GUI
  // thread. Background sync runs it once first when it was deferred, and
  // on failure reports an EngineError (kLocal) and does not sync.
  Status CheckIntegrity();

  // ---- contacts and pairing ----
  Result<std::vector<ContactView>> Contacts();
  Result<ContactView> Contact(std::string_view name);
  // Therapists. Errors: kInvalidArgument (a client profile), kAlreadyExists
  // (name taken; use replaces), kIoError/kAuthFailed from the clinic relay.
  Result<InvitationOutput> Invite(const InviteRequest& request);
  // Clients. Errors: kInvalidArgument (malformed or foreign invitation),
  // kExpired, kAuthFailed (signature), and the relay's.
  Result<AcceptOutput> Accept(std::string_view invitation_text,
                              std::optional<std::string> local_name);
  // 60 digits (12 groups of 5) and whether the key changed since pairing.
  struct SafetyNumberView {
    std::string digits{};
    bool identity_changed = false;
  };
  Result<SafetyNumberView> SafetyNumber(std::string_view contact);
  // The numbers matched: verified, and an identity-change block lifts. On a
  // pending re-pairing (its own name, or the known contact's while one is
  // pending) this confirms it: in one transaction the known contact takes
  // the new identity, session, mailbox and route, keeps its name and
  // history, and the pending contact's messages join it.
  Status MarkVerified(std::string_view contact);
  // Drops a pending re-pairing (its name or the known contact's): its
  // session, messages and queued rows are deleted, its mailbox on the relay
  // too; the known contact is unchanged. kNotFound when nothing is pending.
  //
  // A re-pairing nobody confirms within kPendingRePairingLifetimeSeconds is
  // declined by the engine (on the next sync or confirm, with the injected
  // clock; ContactChanged::kPendingExpired): it replaces nothing, keeps what
  // it sent (readable, SendBlock::kDeclined) and its mailbox is deleted on
  // the relay. MarkVerified on it then fails with kExpired, nothing changed.
  //
  // After a confirm, the known contact's old mailbox is deleted on the relay
  // (the relay forgets it and what is queued there); a relay that cannot be
  // reached is asked again on every later sync (the to-do is stored).
  // Therapists: a confirmed re-pairing gets the practice settings a new
  // client gets — office hours, crisis resources and the client's latest
  // check-in schedule.
  Status DeclinePending(std::string_view contact);

  // ---- messages ----
  // Queues (one transaction) and uploads. Errors (nothing stored):
  // kNotFound (no such contact), kIdentityChanged / kInvalidArgument when
  // SendBlock is set (see Contact().send_block), kInvalidArgument for text
  // that is not valid message content. A relay failure is not an error: the
  // message stays queued (SendResult::uploaded == false).
  Result<SendResult> SendText(std::string_view contact, std::string_view text);
  // Clients. Emits nothing; urgent is the caller's to show first (the
  // resources come from CrisisResourcesFor before anything is sent).
  Result<SendResult> SendCheckIn(std::string_view contact, therapy::CheckIn check_in);

  // Urgent unacknowledged check-ins first (all of them, whatever the
  // count), then unread, then read, oldest first within each group; at
  // most `limit` non-urgent items. Receipts and practice updates are never
  // listed. mark_read: the listed items become read.
  Result<std::vector<InboxItem>> Inbox(size_t limit, bool mark_read);
  Result<std::vector<HistoryItem>> History(std::string_view contact);

  // ---- therapy ----
  // Therapists: acknowledges every urgent check-in from `client`; returns
  // how many. They stop being listed first.
  Result<size_t> AcknowledgeUrgent(std::string_view client);
  // Texts and check-ins with delivery and acknowledgement state.
  Result<therapy::ConversationExport> ExportConversation(std::string_view contact);
  // Clients: what the therapist set — office hours, expected reply time,
  // crisis resources (and which set is shown, and why) — at any time.
  Result<PracticeInfo> PracticeInfoFor(std::string_view therapist);
  // Clients: the resources to show when risk appears; never fails (the
  // default set when the therapist set none or the profile cannot be read).
  therapy::CrisisResourceSet CrisisResourcesFor(std::string_view therapist);
  // Clients: check-ins due per each therapist's schedule.
  Result<std::vector<DueCheckIn>> DueCheckIns();
  // Clients: the latest active schedule from `therapist` (what to ask).
  Result<std::optional<therapy::ValidatedContent>> ActiveSchedule(std::string_view therapist);

  // Therapists: stores the setting and sends it to `to` (or every client
  // when empty); new clients receive it when pairing completes.
  Result<PushReport> SetOfficeHours(const therapy::OfficeHours& hours, std::string_view to);
  Result<PushReport> SetCrisisResources(const therapy::CrisisResourceSet& set, std::string_view to);
  Result<PushReport> SendSchedule(std::string_view client,
                                  const therapy::CheckInSchedule& schedule);
  // Check-ins with `contact`, oldest first, with scores and (received ones)
  // the urgent reason and acknowledgement (check_ins.h; engine_checkins.cc).
  Result<std::vector<CheckInRecord>> CheckIns(std::string_view contact);
  // Therapists: the latest schedule sent to `client` (nullopt: none).
  Result<std::optional<therapy::CheckInSchedule>> SentSchedule(std::string_view client);
  // The therapist's own stored settings (nullopt: never set).
  Result<std::optional<therapy::OfficeHours>> OwnOfficeHours();
  Result<std::optional<therapy::CrisisResourceSet>> OwnCrisisResources();

  // ---- desktop queries (engine_desktop.cc) ----
  // Every contact in the order a person should look at them: those with
  // urgent unacknowledged check-ins first (most urgent first), then those
  // with unread messages (most unread first), then by local name.
  Result<std::vector<ContactView>> ContactsByAttention();
  // Marks every incoming message from `contact` read (the conversation is
  // on screen); one statement, without a disk sync. Returns how many
  // changed. kNotFound.
  Result<size_t> MarkConversationRead(std::string_view contact);
  // One page of a conversation, for a window that loads it as the person
  // scrolls back: the newest `limit` items older than `before_message_id`
  // (0: the newest), oldest first, as History() lists them; `more` when
  // older items remain. kNotFound.
  struct HistoryPage {
    std::vector<HistoryItem> items{};
    bool more = false;
  };
  Result<HistoryPage> HistoryBefore(std::string_view contact, int64_t before_message_id,
                                    size_t limit);
  // The engine's clock (EngineOptions::now), unix seconds: a front end
  // stamps and compares times with it, never with the system clock.
  int64_t Now() const { return static_cast<int64_t>(now_()); }
  // Clients: what the check-in form for `therapist` asks (CheckInForm).
  Result<CheckInForm> CheckInFormFor(std::string_view therapist);
  // Clients: `input` filled in now — the engine's clock and this device's
  // UTC offset at that time — then SendCheckIn. kInvalidArgument (nothing
  // stored) for answers core/therapy refuses.
  Result<SendResult> SendCheckInNow(std::string_view therapist, therapy::CheckInInput input);
  // A number that changes whenever another instance or process (a second
  // window, the CLI) commits to this profile (SQLite's data_version); this
  // engine's own changes come as events instead. A front end that sees it
  // change reloads what it shows.
  Result<int64_t> OutsideChangeMark();

  // ---- sync ----
  // Uploads the outbox, then fetches until quiet. Events go to observers on
  // this thread. Errors: a relay that cannot be reached (kIoError) or
  // refuses (kAuthFailed), local failures. Safe to call while background
  // sync runs (the relay hands each message to one subscriber; the other
  // sees nothing or a duplicate, which is recognised).
  Result<SyncReport> SyncOnce(const SyncOptions& options);
  // Uploads what is queued now. Never fails: the report says what is left.
  SyncReport Flush();
  // Starts the long-lived background sync on its own thread: subscribes to
  // every mailbox, reconnects with jittered backoff, processes and acks
  // deliveries as they arrive, uploads the outbox. kAlreadyExists if running.
  Status StartBackgroundSync(const BackgroundSyncOptions& options = {});
  // Stops and joins it (returns within about options.poll + one delivery).
  void StopBackgroundSync();
  bool background_sync_running() const { return bg_thread_.joinable(); }

 private:
  Engine(store::Profile profile, crypto::RandomSource& random, Clock now);
  void Emit(const Event& event);
  void EmitAll(const std::vector<Event>& events);
  // Callers hold mu_.
  Result<store::Contact> ContactLocked(std::string_view name);
  // engine_pending.cc: the pending contact `contact` is, or has; nullopt
  // when neither.
  Result<std::optional<int64_t>> PendingOfLocked(const store::Contact& contact);
  // Confirms the re-pairing `contact` is or has (one transaction); returns
  // the known contact's id, or nullopt when nothing is pending.
  // Therapists: the confirmed contact's settings (WriteSettingsForLocked)
  // are queued in that same transaction.
  Result<std::optional<int64_t>> ConfirmPendingLocked(const store::Contact& contact,
                                                      std::vector<Event>& events);
  // Declines every re-pairing older than kPendingRePairingLifetimeSeconds
  // (one transaction); returns the local names involved (pending and known).
  Result<std::vector<std::string>> ExpirePendingLocked(std::vector<Event>& events);
  // Asks each relay to delete the mailboxes retired here; what fails stays
  // queued for the next call. Returns how many are still queued.
  Result<size_t> DeleteRetiredMailboxesLocked();
  // Runs `step` under mu_, then emits the events it collected (outside it).
  Status LockedThenEmit(const std::function<Status(std::vector<Event>&)>& step);
  Status MarkVerifiedLocked(std::string_view name, std::vector<Event>& events);
  Status DeclinePendingLocked(std::string_view name, std::vector<Event>& events);
  // Therapists (engine_settings_push.cc): the office hours, crisis
  // resources and (with_schedule) the latest schedule sent to `contact_id`,
  // as fresh contents to send.
  Result<std::vector<Bytes>> SettingsContentsLocked(int64_t contact_id, bool with_schedule,
                                                    std::vector<Event>& events);
  // A new client: each queued in its own transaction. Failures become
  // events; nothing is uploaded.
  void QueueSettingsForLocked(const store::Contact& contact, std::vector<Event>& events);
  // A confirmed re-pairing, in the caller's transaction (one generation
  // bump, *generation): with the schedule. A content that cannot be
  // encrypted becomes an event; a store failure is returned (roll back).
  Status WriteSettingsForLocked(const store::Contact& contact, uint64_t* generation,
                                std::vector<Event>& events);
  Result<SendResult> QueueAndUploadLocked(const store::Contact& contact, ByteView content,
                                          bool with_notice, std::vector<Event>& events);
  SyncReport FlushLocked();
  // Indexes messages stored since the last call (message_index.h).
  Status IndexLocked();
  // HandleDelivery plus the protocol's answers to it: the settings push to a newly paired client,
  // receipts and practice updates marked read. On success the delivery may be acked. The delivery
  // receipt is committed with the message (receive.cc).
  Status ProcessDeliveryLocked(const net::Delivery& delivery, SyncReport& report,
                               std::vector<Event>& events, bool& keep_on_relay);
  Result<PushReport> PushLocked(std::string_view to, const therapy::ContentBody& body);
  std::string SendNoticeLocked(const store::Contact& contact);
  void BackgroundLoop(BackgroundSyncOptions options);

  std::string dir_{};
  store::Profile profile_;  // set by the only constructor
  crypto::RandomSource& random_;
  Clock now_{};
  Context ctx_;
  AccountInfo account_{};
  bool rollback_detected_ = false;
  bool integrity_checked_ = false;  // under mu_

  std::mutex mu_;  // the database, the relay pool
  RelayPool pool_;

  std::mutex observers_mu_;  // held while an event is delivered (one at a time)
  uint64_t next_observer_ = 1;
  std::vector<std::pair<uint64_t, std::shared_ptr<EngineObserver>>> observers_{};

  std::atomic<bool> bg_stop_{false};
  std::thread bg_thread_{};
};

}  // namespace attune::client
