#include "engine_support.h"

#include <regex>

#include "attune/client/store/profile.h"
#include "attune/client/store/records.h"
#include "attune/e2e/identity.h"
#include "attune/therapy/check_in.h"
#include "attune/therapy/content.h"

namespace attune::testing {
namespace {

constexpr auto kQuiet = std::chrono::milliseconds(300);

// Each test profile gets a distinct passphrase; the KDF is the fast test one.
Result<EngineUnderTest> Make(const std::filesystem::path& dir, client::AccountInfo account,
                             const std::optional<client::ClinicRelay>& relay,
                             client::Clock now = client::SystemNow) {
  const std::string passphrase = "passphrase of " + dir.filename().string();
  EngineUnderTest e;
  client::EngineOptions options;
  options.now = std::move(now);
  ATTUNE_ASSIGN_OR_RETURN(
      e.engine, client::Engine::Create(dir.string(), AsBytes(passphrase),
                                       client::store::KdfStrength::kTestInteractive, account, relay,
                                       std::move(options)));
  e.engine->Subscribe(e.events);
  return e;
}

}  // namespace

Result<EngineUnderTest> CreateTherapist(const std::filesystem::path& dir,
                                        const RelayUnderTest& relay, const std::string& name) {
  client::ClinicRelay clinic;
  clinic.endpoint = relay.endpoint();
  clinic.credential = relay.credential().Clone();
  std::optional<client::ClinicRelay> relay_opt(std::move(clinic));
  return Make(dir, client::AccountInfo{client::Role::kTherapist, name}, relay_opt);
}

Result<EngineUnderTest> CreateClient(const std::filesystem::path& dir, const std::string& name,
                                     client::Clock now) {
  return Make(dir, client::AccountInfo{client::Role::kClient, name}, std::nullopt, std::move(now));
}

Status Pair(EngineUnderTest& therapist, EngineUnderTest& client, const std::string& client_name) {
  client::InviteRequest request;
  request.local_name = client_name;
  ATTUNE_ASSIGN_OR_RETURN(client::InvitationOutput invitation, therapist->Invite(request));
  ATTUNE_ASSIGN_OR_RETURN(client::AcceptOutput accepted,
                          client->Accept(invitation.text, std::string("therapist")));
  if (!accepted.delivered) {
    return MakeError(ErrorCode::kIoError, "the hello stayed queued: " + accepted.pending_reason);
  }
  ATTUNE_ASSIGN_OR_RETURN(client::SyncReport report, QuickSync(therapist));
  if (report.paired != 1) return MakeError(ErrorCode::kInternal, "the therapist saw no pairing");
  return Status::Ok();
}

Status PopulateTherapist(const std::string& dir, ByteView passphrase, int clients, int per_client) {
  ATTUNE_ASSIGN_OR_RETURN(client::store::Profile profile,
                          client::store::Profile::Open(dir, passphrase));
  client::store::Database& db = profile.db();
  crypto::RandomSource& random = crypto::SystemRandom();
  ATTUNE_ASSIGN_OR_RETURN(client::store::Transaction tx, client::store::Transaction::Begin(db));
  int n = 0;
  for (int c = 0; c < clients; ++c) {
    client::store::Contact contact;
    contact.name = "client" + std::to_string(c);
    contact.display_name = "Client " + std::to_string(c);
    contact.identity_key = Bytes(e2e::kIdentityRecordSize, static_cast<uint8_t>(c));
    contact.peer_relay = {"127.0.0.1", 1, {}};
    contact.created_at = 1;
    ATTUNE_ASSIGN_OR_RETURN(contact.id, client::store::InsertContact(db, contact));
    for (int i = 0; i < per_client; ++i, ++n) {
      const bool incoming = i % 2 == 0;
      therapy::ContentBody body = therapy::TextMessage{"message number " + std::to_string(n)};
      if (incoming && n % 50 == 0) {
        therapy::CheckInInput in;
        in.instruments.push_back({therapy::InstrumentId::kPhq9, {0, 0, 0, 0, 0, 0, 0, 0, 1}, {}});
        in.filled_at = 1000 + n;
        ATTUNE_ASSIGN_OR_RETURN(therapy::CheckIn check_in, therapy::CheckIn::Create(in));
        body = std::move(check_in);
      }
      client::store::MessageRecord m;
      m.contact_id = contact.id;
      m.direction =
          incoming ? client::store::Direction::kIncoming : client::store::Direction::kOutgoing;
      m.content = therapy::SerializeContent(therapy::NewContent(random, 1000 + n, std::move(body)));
      m.created_at = 1000 + n;
      m.read = !incoming || n < clients * per_client - 400;
      m.sent = !incoming;
      ATTUNE_ASSIGN_OR_RETURN(int64_t id, client::store::InsertMessage(db, m));
      (void)id;
    }
  }
  return tx.Commit();
}

Result<client::SyncReport> QuickSync(EngineUnderTest& e) {
  client::SyncOptions options;
  options.quiet = kQuiet;
  return e->SyncOnce(options);
}

}  // namespace attune::testing
