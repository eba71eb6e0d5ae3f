// A prepared SQLite statement that is reset and cleared after every use, so
// cached statements never hold locks or bound blobs between calls.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "attune/base/bytes.h"
#include "attune/base/result.h"

namespace attune::relay {

Error SqliteError(sqlite3* db, const char* what);

class Statement {
 public:
  Statement() = default;
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Status Prepare(sqlite3* db, const char* sql);

  // Binding: 1-based indexes as in SQLite. Blobs are bound SQLITE_STATIC: the
  // caller keeps them alive until Reset() (every Use ends with one).
  void Bind(int index, ByteView bytes) {
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  }
  void BindText(int index, const std::string& s) {
    sqlite3_bind_blob(stmt_, index, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
  }
  void Bind(int index, int64_t v) { sqlite3_bind_int64(stmt_, index, v); }
  void Bind(int index, uint64_t v) { sqlite3_bind_int64(stmt_, index, static_cast<int64_t>(v)); }

  // SQLITE_ROW -> true, SQLITE_DONE -> false, anything else -> kIoError.
  Result<bool> Step();
  // Steps until done (for statements without rows).
  Status Run();
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  ByteView Blob(int col) const {
    const void* p = sqlite3_column_blob(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return ByteView(static_cast<const uint8_t*>(p), static_cast<size_t>(n));
  }
  template <size_t N>
  bool BlobInto(int col, ByteArray<N>& out) const {
    ByteView b = Blob(col);
    if (b.size() != N) return false;
    std::copy(b.begin(), b.end(), out.begin());
    return true;
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when leaving scope.
class StatementUse {
 public:
  explicit StatementUse(Statement& s) : s_(s) {}
  ~StatementUse() { s_.Reset(); }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  Statement* operator->() { return &s_; }

 private:
  Statement& s_;
};

}  // namespace attune::relay
