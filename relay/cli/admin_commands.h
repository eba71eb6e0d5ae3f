// The attune-relay subcommands. Each returns the process exit status and
// prints its own one-line error (docs/PROTOCOL.md (part mailbox) §7).
#pragma once

#include <cstdint>
#include <string>

#include "store_open.h"

namespace attune::relay::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

inline constexpr uint64_t kDefaultCredentialUses = 1000;
inline constexpr uint64_t kDefaultCredentialDays = 365;

int Keygen(const std::string& data_dir);
int PrintPublicKey(const std::string& data_dir);
int CredentialIssue(const StoreLocation& where, uint64_t uses, uint64_t expires_in_days);
// `enrollment issue`: mints a credential and prints (or writes to
// `out_file`, 0600, never over an existing file) one enrollment code holding
// `address` (HOST:PORT as therapists reach the relay), the relay's public key
// and the credential (mailbox/enrollment.h).
int EnrollmentIssue(const StoreLocation& where, const std::string& address, uint64_t uses,
                    uint64_t expires_in_days, const std::string& out_file);
int CredentialList(const StoreLocation& where);
int CredentialRevoke(const StoreLocation& where, int64_t id);
int Serve(const std::string& config_path);
// `db migrate`: creates or upgrades the configured database's schema.
int DbMigrate(const std::string& config_path);

// "attune-relay: error: <message>" on stderr.
void PrintError(const std::string& message);

}  // namespace attune::relay::cli
