// `attune-relay db migrate`: brings the PostgreSQL schema to this build's
// version. The SQL lives in pg_sql.cc.
#include <libpq-fe.h>

#include "attune/relay/store/pg_store.h"
#include "pg_connection.h"
#include "pg_sql.h"

namespace attune::relay {
namespace {

// Any constant works; it only has to be the same for every node.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(74201300)";

Result<int> MigrateInTransaction(pg::PgConnection& conn) {
  ATTUNE_RETURN_IF_ERROR(conn.Exec(kMigrationLock));
  ATTUNE_RETURN_IF_ERROR(conn.Exec(pg::kCreateVersionTable));
  ATTUNE_ASSIGN_OR_RETURN(pg::PgResult current, conn.Query(pg::kReadVersion));
  const int before = current.rows() == 0 ? 0 : std::stoi(current.Text(0, 0));
  const int latest = pg::LatestVersion();
  if (before > latest) {
    return MakeError(ErrorCode::kUnsupportedVersion,
                     "database schema version " + std::to_string(before) +
                         " is newer than this relay's " + std::to_string(latest));
  }
  for (const pg::Migration& m : pg::Migrations()) {
    if (m.version > before) ATTUNE_RETURN_IF_ERROR(conn.Exec(m.sql));
  }
  const std::string set_version = "INSERT INTO attune_schema(version) VALUES(" +
                                  std::to_string(latest) +
                                  ") ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version";
  ATTUNE_RETURN_IF_ERROR(conn.Exec(set_version.c_str()));
  return before;
}

}  // namespace

Result<std::string> BuildPostgresConninfo(const std::string& connection,
                                          const std::string& password_file) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(connection.c_str(), &err);
  if (options == nullptr) {
    std::string msg = err != nullptr ? err : "out of memory";
    PQfreemem(err);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return MakeError(ErrorCode::kInvalidArgument, "store.connection: " + msg);
  }
  bool has_password = false;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (std::string(o->keyword) == "password" && o->val != nullptr) has_password = true;
  }
  PQconninfoFree(options);
  if (has_password) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "store.connection must not contain a password; use store.password_file "
                     "or PGPASSFILE");
  }
  if (password_file.empty()) return connection;
  // Quoted per libpq's rules: backslash and single quote are escaped.
  std::string quoted;
  for (char c : password_file) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  return connection + " passfile='" + quoted + "'";
}

Result<int> MigratePostgres(const std::string& conninfo) {
  pg::PgConnection conn(conninfo, {});
  ATTUNE_RETURN_IF_ERROR(conn.Ensure());
  ATTUNE_RETURN_IF_ERROR(conn.Exec("BEGIN"));
  auto before = MigrateInTransaction(conn);
  if (!before.ok()) {
    conn.Exec("ROLLBACK").ok();
    return before.error();
  }
  ATTUNE_ASSIGN_OR_RETURN(pg::PgResult commit, conn.Query("COMMIT"));
  if (commit.command() != "COMMIT") {
    return MakeError(ErrorCode::kIoError, "postgres: migration was rolled back");
  }
  return before;
}

}  // namespace attune::relay
