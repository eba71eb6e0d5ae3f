// Every SQL text of the PostgreSQL store: the versioned schema migrations
// and the prepared statements. Internal to attune_relay_store; the schema is
// documented in docs/PROTOCOL.md (part mailbox) section 8.
#pragma once

#include <cstddef>
#include <span>

#include "pg_connection.h"

namespace attune::relay::pg {

struct Migration {
  int version = 0;
  const char* sql = "";
};

// Ordered by version, from 1.
std::span<const Migration> Migrations();
// The version this build's statements are written for (the last migration).
int LatestVersion();

// The schema version table, created by the first migration run.
inline constexpr const char* kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS attune_schema(one boolean PRIMARY KEY DEFAULT true CHECK (one), "
    "version integer NOT NULL)";
inline constexpr const char* kReadVersion = "SELECT version FROM attune_schema";

// Indexes into Statements().
enum Stmt : size_t {
  kGetMailbox,
  kGetMailboxForUpdate,
  kLockMailboxMinusAcks,
  kInsertMailbox,
  kUpdateKeys,
  kDeleteMailbox,
  kDeleteMailboxMessages,
  kAppendMessage,
  kAppendMessages,
  kFetchMessages,
  kDeleteMessage,
  kDeleteMessages,
  kPurgeMessages,
  kPurgeTickets,
  kInsertCredential,
  kFindCredential,
  kFindCredentialForUpdate,
  kSetCredentialUses,
  kListCredentials,
  kRevokeCredential,
  kRevokeTickets,
  kInsertTicket,
  kFindTicket,
  kFindTicketForUpdate,
  kDeleteTicket,
  kStatementCount,
};

std::span<const StatementSql> Statements();
// Whether statement `stmt` may change rows (the FOR UPDATE reads only lock).
bool Writes(size_t stmt);

// The LISTEN/NOTIFY channel; payload: the hex MailboxTag (new messages), or
// kEvictionPrefix and the hex tag (owner key rotated, mailbox deleted). The
// prefix must not be a hex digit: with 'e', every tag that began with an
// 'e' (one mailbox in 16) was read as an eviction and its pushes were lost.
inline constexpr const char* kNotifyChannel = "attune_mailbox";
inline constexpr char kEvictionPrefix = 'x';

}  // namespace attune::relay::pg
