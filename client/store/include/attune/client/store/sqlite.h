// Thin RAII wrappers over the SQLCipher C API (sqlite3.h from
// libsqlcipher-dev). Errors are values: every call returns a Status or
// Result whose message names the operation, never a bound value.
//
// Not thread-safe: one Database per thread. Several processes may open the
// same file; writers serialise on BEGIN IMMEDIATE with a busy timeout.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace attune::client::store {

class Database;

// How long a statement waits for another process's lock (sqlite3_busy_timeout)
// before SQLITE_BUSY; such statements are then retried a few times.
inline constexpr int kBusyTimeoutMs = 15000;

// A prepared statement. Bind indices start at 1; column indices at 0.
class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, ByteView blob);
  Statement& BindNull(int index);

  // Advances: true with a row available, false when done.
  Result<bool> Step();
  // Runs to completion, ignoring rows.
  Status Run();
  // Makes the statement ready to run again (bindings are kept until
  // rebound), so a loop prepares it once.
  Statement& Reset();

  int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  Bytes ColumnBlob(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  Database() = default;
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Opens (create=false: must exist) without touching the content: no
  // statement runs until the caller keyed the handle.
  static Result<Database> OpenFile(const std::string& path, bool create);

  // sqlite3_key_v2 on schema "main" with SQLCipher's raw-key bytes.
  Status Key(ByteView raw_key_spec);

  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);

  // Single-value helpers for small queries.
  Result<std::optional<int64_t>> QueryInt(std::string_view sql);

  // The first n raw (still encrypted) bytes of the main database file, read
  // through SQLite's own file handle. Never open and close another
  // descriptor on an open database file: closing any descriptor drops every
  // POSIX lock the process holds on it, and another process may then
  // checkpoint and delete the WAL under this connection.
  Result<Bytes> ReadRawPrefix(size_t n);

  // True inside BEGIN ... COMMIT (sqlite3_get_autocommit() == 0).
  bool InTransaction() const;
  int64_t LastInsertRowId() const;
  int Changes() const;
  sqlite3* handle() { return db_; }
  void Close();

  // PRAGMA synchronous for the next transaction (see Durability); only
  // changed between transactions. Cheap: no I/O.
  Status SetRelaxedSync(bool relaxed);

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
  bool relaxed_sync_ = false;
};

// How a transaction's COMMIT reaches the disk (WAL mode).
//   kDurable  synchronous=FULL: the WAL is fsync'd at COMMIT. Anything that
//             changes ratchet state, or that a ciphertext or an ack to the
//             relay depends on, commits this way.
//   kRelaxed  synchronous=NORMAL: no fsync at COMMIT; a power cut may undo
//             this transaction (never corrupt the file). WAL frames are
//             checksummed cumulatively, so a later kDurable COMMIT (whose
//             fsync covers the whole WAL) makes every earlier kRelaxed one
//             durable too: a relaxed change can be lost only together with
//             everything after it. Only for changes whose loss costs
//             nothing but repeated work: an outbox row marked sent (it is
//             uploaded again and the recipient drops the duplicate), read
//             marks, the derived message index (rebuilt from the content).
enum class Durability { kDurable, kRelaxed };

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted. Writers
// take the write lock up front so a read-modify-write of ratchet state can
// never interleave with another process.
class Transaction {
 public:
  static Result<Transaction> Begin(Database& db, Durability durability = Durability::kDurable);
  ~Transaction();
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;

  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_ = nullptr;
};

}  // namespace attune::client::store
