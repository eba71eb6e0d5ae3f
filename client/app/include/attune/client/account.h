// Who this device is: role, display name, e2e identity, and (therapists)
// the clinic relay and its credential. All kept in the profile's encrypted
// database (settings and identity tables).
#pragma once

#include <optional>
#include <string>

#include "attune/base/result.h"
#include "attune/client/store/profile.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"
#include "attune/e2e/identity.h"
#include "attune/net/relay_connection.h"

namespace attune::client {

enum class Role { kTherapist, kClient };
const char* RoleName(Role role);
Result<Role> ParseRole(std::string_view name);

// The therapist's own relay: where their invitations' mailboxes live.
struct ClinicRelay {
  net::RelayEndpoint endpoint{};
  crypto::SecretArray<32> credential{};  // minted by `attune-relay credential issue`
};

struct AccountInfo {
  Role role = Role::kClient;
  std::string display_name{};
};

// Stores role, name, a fresh identity and (therapists) the clinic relay.
// Fails with kAlreadyExists if the profile already has an identity, and
// kInvalidArgument when a therapist gives no relay or a client gives one.
Status InitializeAccount(store::Database& db, const AccountInfo& info,
                         const std::optional<ClinicRelay>& relay, crypto::RandomSource& random);

Result<AccountInfo> LoadAccount(store::Database& db);
Result<e2e::Identity> LoadIdentity(store::Database& db);
// kNotFound for a profile without a clinic relay (a client's).
Result<ClinicRelay> LoadClinicRelay(store::Database& db);

// "host:port" parsing for --relay. kInvalidArgument when malformed.
Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text);
// 64 hex digits (whitespace around is ignored) into 32 bytes.
Result<ByteArray<32>> ParseHexKey32(std::string_view text, std::string_view what);

}  // namespace attune::client
