// Opens the store a configuration names (SQLite in the data dir, or
// PostgreSQL), for `serve`, `db migrate` and the credential commands.
#pragma once

#include <memory>
#include <string>

#include "attune/base/result.h"
#include "attune/crypto/x25519.h"
#include "attune/relay/server/config.h"
#include "attune/relay/store/mailbox_notifier.h"
#include "attune/relay/store/mailbox_store.h"
#include "attune/relay/store/pg_store.h"

namespace attune::relay::cli {

struct OpenedStore {
  std::unique_ptr<MailboxTagger> tagger{};  // PostgreSQL only (notification tags)
  std::unique_ptr<MailboxStore> store{};
  PgMailboxStore* pg = nullptr;  // store, when it is PostgreSQL
};

enum class StoreRole {
  kWriter,  // the relay's committer (SQLite: with the mailbox cache)
  kReader,  // the relay's read connection
  kAdmin,   // a one-off admin command
};

// `key` is the relay's static key (it keys the notification tags).
Result<OpenedStore> OpenConfiguredStore(const ServerConfig& config,
                                        const crypto::X25519KeyPair& key, StoreRole role);

// Where an admin command finds its store: --data-dir (SQLite) or --config.
struct StoreLocation {
  std::string data_dir{};
  std::string config_path{};
};
Result<OpenedStore> OpenAdminStore(const StoreLocation& where);

}  // namespace attune::relay::cli
