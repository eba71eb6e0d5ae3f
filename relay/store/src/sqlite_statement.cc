#include "sqlite_statement.h"

namespace attune::relay {

Error SqliteError(sqlite3* db, const char* what) {
  // sqlite3_errmsg never contains bound values, only SQL-level descriptions.
  return MakeError(ErrorCode::kIoError,
                   std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : "no database"));
}

Status Statement::Prepare(sqlite3* db, const char* sql) {
  db_ = db;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
    return SqliteError(db, "prepare");
  }
  return Status::Ok();
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, "step");
}

Status Statement::Run() {
  for (;;) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

}  // namespace attune::relay
