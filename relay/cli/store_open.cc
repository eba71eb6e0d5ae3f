#include "store_open.h"

#include "attune/crypto/util.h"
#include "attune/relay/server/key_file.h"
#include "attune/relay/store/sqlite_store.h"

namespace attune::relay::cli {

Result<OpenedStore> OpenConfiguredStore(const ServerConfig& config,
                                        const crypto::X25519KeyPair& key, StoreRole role) {
  OpenedStore out;
  if (config.store.backend == StoreBackend::kPostgres) {
    out.tagger = std::make_unique<MailboxTagger>(key.private_key);
    ATTUNE_ASSIGN_OR_RETURN(auto pg, PgMailboxStore::Open(config.store.conninfo, *out.tagger));
    out.pg = pg.get();
    out.store = std::move(pg);
    return out;
  }
  ATTUNE_RETURN_IF_ERROR(EnsureDataDir(config.data_dir));
  SqliteMailboxStore::Options options;
  // The mailbox cache is only for the single writer of the file.
  options.cache_mailboxes = role == StoreRole::kWriter;
  // No commit of the relay's carries a WAL checkpoint.
  options.background_checkpoints = role == StoreRole::kWriter;
  ATTUNE_ASSIGN_OR_RETURN(auto sqlite,
                          SqliteMailboxStore::Open(DatabasePath(config.data_dir), options));
  out.store = std::move(sqlite);
  return out;
}

Result<OpenedStore> OpenAdminStore(const StoreLocation& where) {
  if (!crypto::Init().ok()) return MakeError(ErrorCode::kInternal, "cannot initialise libsodium");
  if (where.config_path.empty()) {
    ATTUNE_RETURN_IF_ERROR(EnsureDataDir(where.data_dir));
    ATTUNE_ASSIGN_OR_RETURN(auto sqlite, SqliteMailboxStore::Open(DatabasePath(where.data_dir)));
    OpenedStore out;
    out.store = std::move(sqlite);
    return out;
  }
  ATTUNE_ASSIGN_OR_RETURN(ServerConfig config, LoadConfigFile(where.config_path));
  if (config.store.backend == StoreBackend::kSqlite) {
    return OpenAdminStore(StoreLocation{config.data_dir, ""});
  }
  ATTUNE_ASSIGN_OR_RETURN(crypto::X25519KeyPair key, ReadKeyFile(KeyFilePath(config.data_dir)));
  return OpenConfiguredStore(config, key, StoreRole::kAdmin);
}

}  // namespace attune::relay::cli
