#include "engine_support.h"

#include <regex>

namespace attune::testing {
namespace {

constexpr auto kQuiet = std::chrono::milliseconds(300);

// Each test profile gets a distinct passphrase; the KDF is the fast test one.
Result<EngineUnderTest> Make(const std::filesystem::path& dir, client::AccountInfo account,
                             const std::optional<client::ClinicRelay>& relay) {
  const std::string passphrase = "passphrase of " + dir.filename().string();
  EngineUnderTest e;
  ATTUNE_ASSIGN_OR_RETURN(
      e.engine,
      client::Engine::Create(dir.string(), AsBytes(passphrase),
                             client::store::KdfStrength::kTestInteractive, account, relay));
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

Result<EngineUnderTest> CreateClient(const std::filesystem::path& dir, const std::string& name) {
  return Make(dir, client::AccountInfo{client::Role::kClient, name}, std::nullopt);
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

Result<client::SyncReport> QuickSync(EngineUnderTest& e) {
  client::SyncOptions options;
  options.quiet = kQuiet;
  return e->SyncOnce(options);
}

}  // namespace attune::testing
