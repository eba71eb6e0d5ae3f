#include "attune/client/store/sqlite.h"

#include <sqlite3.h>

#include <algorithm>
#include <utility>

namespace attune::client::store {
namespace {

// SQLite's own messages name tables or "file is not a database"; they never
// contain bound values, so they are safe to pass on.
Error SqlError(sqlite3* db, std::string_view what) {
  std::string msg = "database: ";
  msg += what;
  if (db != nullptr) {
    msg += ": ";
    msg += sqlite3_errmsg(db);
  }
  return MakeError(ErrorCode::kIoError, std::move(msg));
}

// After kBusyTimeoutMs (sqlite.h) a statement that still gets SQLITE_BUSY (a lock held longer, or
// the busy handler skipped, as SQLite does when waiting could deadlock) is
// retried this many times before the error reaches the caller.
constexpr int kBusyRetries = 4;

bool IsBusy(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

}  // namespace

// ---- Statement ----

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}
Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}
Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindBlob(int index, ByteView blob) {
  // A zero-length blob must still be a blob, not NULL.
  static const uint8_t kEmpty = 0;
  sqlite3_bind_blob(stmt_, index, blob.empty() ? &kEmpty : blob.data(),
                    static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  // Only a statement that has not produced a row yet may be restarted, and
  // only outside an explicit transaction (inside one, BEGIN IMMEDIATE
  // already holds the write lock, and a retry could not be atomic).
  for (int i = 0; i < kBusyRetries && IsBusy(rc) && sqlite3_get_autocommit(db_) != 0; ++i) {
    sqlite3_reset(stmt_);
    rc = sqlite3_step(stmt_);
  }
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  if (rc == SQLITE_CONSTRAINT) {
    return MakeError(ErrorCode::kAlreadyExists, "database: a record with that key exists");
  }
  return SqlError(db_, "step");
}

Status Statement::Run() {
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

Statement& Statement::Reset() {
  sqlite3_reset(stmt_);
  return *this;
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }
std::string Statement::ColumnText(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}
Bytes Statement::ColumnBlob(int column) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? Bytes() : Bytes(p, p + n);
}
bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Database ----

Database::~Database() { Close(); }
Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      relaxed_sync_(std::exchange(other.relaxed_sync_, false)) {}
Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = std::exchange(other.db_, nullptr);
    relaxed_sync_ = std::exchange(other.relaxed_sync_, false);
  }
  return *this;
}

void Database::Close() {
  if (db_ != nullptr) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }
}

Result<Database> Database::OpenFile(const std::string& path, bool create) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return SqlError(raw, "open");
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  return db;
}

Status Database::Key(ByteView raw_key_spec) {
  if (sqlite3_key_v2(db_, "main", raw_key_spec.data(), static_cast<int>(raw_key_spec.size())) !=
      SQLITE_OK) {
    return SqlError(db_, "key");
  }
  return Status::Ok();
}

Status Database::Exec(std::string_view sql) {
  std::string owned(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err);
  // BEGIN IMMEDIATE, COMMIT and the connection pragmas are safe to repeat.
  for (int i = 0; i < kBusyRetries && IsBusy(rc); ++i) {
    if (err != nullptr) sqlite3_free(err);
    err = nullptr;
    rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err);
  }
  if (err != nullptr) sqlite3_free(err);
  if (rc != SQLITE_OK) return SqlError(db_, "exec");
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return SqlError(db_, "prepare");
  return Statement(db_, stmt);
}

Result<std::optional<int64_t>> Database::QueryInt(std::string_view sql) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st, Prepare(sql));
  ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row || st.ColumnIsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(st.ColumnInt(0));
}

Result<Bytes> Database::ReadRawPrefix(size_t n) {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      file == nullptr || file->pMethods == nullptr) {
    return MakeError(ErrorCode::kIoError, "database: no file handle");
  }
  sqlite3_int64 size = 0;
  if (file->pMethods->xFileSize(file, &size) != SQLITE_OK) {
    return MakeError(ErrorCode::kIoError, "database: cannot read the file size");
  }
  Bytes out(std::min<size_t>(n, static_cast<size_t>(size)));
  if (!out.empty() &&
      file->pMethods->xRead(file, out.data(), static_cast<int>(out.size()), 0) != SQLITE_OK) {
    return MakeError(ErrorCode::kIoError, "database: cannot read the file header");
  }
  return out;
}

bool Database::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int Database::Changes() const { return sqlite3_changes(db_); }

// ---- Transaction ----

Status Database::SetRelaxedSync(bool relaxed) {
  if (relaxed == relaxed_sync_) return Status::Ok();
  ATTUNE_RETURN_IF_ERROR(Exec(relaxed ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL"));
  relaxed_sync_ = relaxed;
  return Status::Ok();
}

Result<Transaction> Transaction::Begin(Database& db, Durability durability) {
  // Every durable transaction sets FULL again itself, so a relaxed one can
  // never leak its setting into a transaction that protects ratchet state.
  ATTUNE_RETURN_IF_ERROR(db.SetRelaxedSync(durability == Durability::kRelaxed));
  ATTUNE_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  Database* db = std::exchange(db_, nullptr);
  Status s = db->Exec("COMMIT");
  if (!s.ok()) (void)db->Exec("ROLLBACK");
  return s;
}

}  // namespace attune::client::store
