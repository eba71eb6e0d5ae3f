#include "attune/client/account.h"

#include <charconv>
#include <cstring>

#include "attune/client/routing.h"
#include "attune/client/store/records.h"
#include "attune/mailbox/enrollment.h"

namespace attune::client {
namespace {

constexpr std::string_view kRoleKey = "role";
constexpr std::string_view kNameKey = "display_name";
constexpr std::string_view kRelayHostKey = "relay.host";
constexpr std::string_view kRelayPortKey = "relay.port";
constexpr std::string_view kRelayKeyKey = "relay.public_key";
constexpr std::string_view kCredentialKey = "relay.credential";

Result<Bytes> Required(store::Database& db, std::string_view key) {
  ATTUNE_ASSIGN_OR_RETURN(auto v, store::GetSetting(db, key));
  if (!v) return MakeError(ErrorCode::kNotFound, "profile setting missing: " + std::string(key));
  return std::move(*v);
}

}  // namespace

const char* RoleName(Role role) { return role == Role::kTherapist ? "therapist" : "client"; }

Result<Role> ParseRole(std::string_view name) {
  if (name == "therapist") return Role::kTherapist;
  if (name == "client") return Role::kClient;
  return MakeError(ErrorCode::kInvalidArgument, "role must be \"therapist\" or \"client\"");
}

Status InitializeAccount(store::Database& db, const AccountInfo& info,
                         const std::optional<ClinicRelay>& relay, crypto::RandomSource& random) {
  ATTUNE_RETURN_IF_ERROR(ValidateDisplayName(info.display_name));
  if (info.role == Role::kTherapist && !relay) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a therapist profile needs the clinic relay (--relay, --relay-key, "
                     "--credential-file)");
  }
  if (info.role == Role::kClient && relay) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a client profile gets its relay from the therapist's invitation");
  }
  ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
  if (store::GetIdentity(db).ok()) {
    return MakeError(ErrorCode::kAlreadyExists, "this profile is already initialised");
  }
  e2e::Identity identity = e2e::Identity::Generate(random);
  crypto::SecretBytes stored = identity.Serialize();
  ATTUNE_RETURN_IF_ERROR(store::PutIdentity(db, stored.view()));
  ATTUNE_RETURN_IF_ERROR(store::PutSetting(db, kRoleKey, AsBytes(RoleName(info.role))));
  ATTUNE_RETURN_IF_ERROR(store::PutSetting(db, kNameKey, AsBytes(info.display_name)));
  if (relay) {
    ATTUNE_RETURN_IF_ERROR(store::PutSetting(db, kRelayHostKey, AsBytes(relay->endpoint.host)));
    ATTUNE_RETURN_IF_ERROR(
        store::PutSetting(db, kRelayPortKey, AsBytes(std::to_string(relay->endpoint.port))));
    ATTUNE_RETURN_IF_ERROR(store::PutSetting(db, kRelayKeyKey, relay->endpoint.relay_public_key));
    ATTUNE_RETURN_IF_ERROR(store::PutSetting(db, kCredentialKey, relay->credential.view()));
  }
  return tx.Commit();
}

Result<AccountInfo> LoadAccount(store::Database& db) {
  auto role = store::GetSetting(db, kRoleKey);
  if (!role.ok()) return role.error();
  if (!role->has_value()) {
    return MakeError(ErrorCode::kNotFound, "this profile has no account yet (run `attune init`)");
  }
  AccountInfo info;
  ATTUNE_ASSIGN_OR_RETURN(info.role, ParseRole(AsStringView(**role)));
  ATTUNE_ASSIGN_OR_RETURN(Bytes name, Required(db, kNameKey));
  info.display_name.assign(name.begin(), name.end());
  return info;
}

Result<e2e::Identity> LoadIdentity(store::Database& db) {
  ATTUNE_ASSIGN_OR_RETURN(crypto::SecretBytes stored, store::GetIdentity(db));
  return e2e::Identity::Deserialize(stored.view());
}

Result<ClinicRelay> LoadClinicRelay(store::Database& db) {
  ATTUNE_ASSIGN_OR_RETURN(auto host, store::GetSetting(db, kRelayHostKey));
  if (!host) {
    return MakeError(ErrorCode::kNotFound, "this profile has no clinic relay (therapists only)");
  }
  ATTUNE_ASSIGN_OR_RETURN(Bytes port, Required(db, kRelayPortKey));
  ATTUNE_ASSIGN_OR_RETURN(Bytes key, Required(db, kRelayKeyKey));
  ATTUNE_ASSIGN_OR_RETURN(Bytes credential, Required(db, kCredentialKey));
  if (key.size() != 32 || credential.size() != 32) {
    crypto::SecureZero(credential.data(), credential.size());
    return MakeError(ErrorCode::kInvalidArgument, "the stored clinic relay is damaged");
  }
  ClinicRelay relay;
  relay.endpoint.host.assign(host->begin(), host->end());
  ATTUNE_ASSIGN_OR_RETURN(
      auto hp, ParseHostPort(relay.endpoint.host + ":" + std::string(AsStringView(port))));
  relay.endpoint.port = hp.second;
  std::memcpy(relay.endpoint.relay_public_key.data(), key.data(), 32);
  std::memcpy(relay.credential.data(), credential.data(), 32);
  crypto::SecureZero(credential.data(), credential.size());
  return relay;
}

Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text) {
  static_assert(kMaxHostSize == mailbox::kMaxEnrollmentHostSize);
  return mailbox::ParseRelayAddress(text);
}

Result<ByteArray<32>> ParseHexKey32(std::string_view text, std::string_view what) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t' ||
                           text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  auto bytes = FromHex(text);
  if (!bytes || bytes->size() != 32) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(what) + " must be 64 hexadecimal digits");
  }
  ByteArray<32> out;
  std::memcpy(out.data(), bytes->data(), 32);
  crypto::SecureZero(bytes->data(), bytes->size());
  return out;
}

}  // namespace attune::client
