// One libpq connection with its prepared statements, reconnected on demand
// with exponential backoff. Internal to attune_relay_store.
//
// Thread safety: none; one thread uses a PgConnection at a time.
#pragma once

#include <libpq-fe.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attune/base/bytes.h"
#include "attune/base/result.h"

namespace attune::relay::pg {

inline constexpr std::chrono::milliseconds kMinBackoff{100};
inline constexpr std::chrono::milliseconds kMaxBackoff{2000};
// Deferred statements sent before their results are read.
inline constexpr size_t kMaxDeferred = 256;

// A statement prepared on every (re)connection under `name`.
struct StatementSql {
  const char* name = "";
  const char* sql = "";
  // A read: when it fails because the connection turned out to be broken
  // (the server restarted since the last use), it is retried once on a new
  // connection. Writes never are: their effect is unknown.
  bool read_only = false;
};

// Owns a PGresult.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) : r_(r) {}
  PgResult(PgResult&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgResult& operator=(PgResult&& o) noexcept {
    if (this != &o) {
      PQclear(r_);
      r_ = o.r_;
      o.r_ = nullptr;
    }
    return *this;
  }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult() { PQclear(r_); }

  int rows() const { return PQntuples(r_); }
  // Rows changed by INSERT/UPDATE/DELETE.
  uint64_t affected() const;
  bool IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  // Binary-format columns.
  ByteView Bytes(int row, int col) const;
  int64_t Int8(int row, int col) const;
  bool Bool(int row, int col) const;
  // The command tag ("COMMIT", "ROLLBACK", "DELETE 3", ...).
  std::string command() const { return PQcmdStatus(r_); }
  std::string Text(int row, int col) const { return PQgetvalue(r_, row, col); }
  template <size_t N>
  bool Into(int row, int col, ByteArray<N>& out) const {
    ByteView b = Bytes(row, col);
    if (b.size() != N) return false;
    std::copy(b.begin(), b.end(), out.begin());
    return true;
  }

 private:
  PGresult* r_ = nullptr;
};

// A one-dimensional array parameter (no NULLs) in PostgreSQL's binary array
// format, for set-based statements (unnest($1::bytea[], ...)). Pass bytes()
// with PgParams::Bytes; it must outlive the statement's sending.
class PgArray {
 public:
  static constexpr uint32_t kBytea = 17;
  static constexpr uint32_t kInt8 = 20;
  static constexpr uint32_t kText = 25;
  // `count`: the number of Add() calls that follow.
  PgArray(uint32_t element_oid, size_t count);
  PgArray& Add(ByteView element);
  PgArray& Add(int64_t element);
  ByteView bytes() const { return AsBytes(buf_); }

 private:
  std::string buf_{};
};

// Parameters of one prepared statement, sent in binary format (bytea as
// raw bytes, int8 big-endian) except Text ones.
class PgParams {
 public:
  static constexpr int kMax = 8;
  PgParams& Bytes(ByteView v);
  PgParams& Int8(int64_t v);
  PgParams& Uint8(uint64_t v) { return Int8(static_cast<int64_t>(v)); }
  // `v` must stay alive and NUL-terminated until the statement ran.
  PgParams& Text(const std::string& v);

  int count() const { return n_; }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  int n_ = 0;
  std::array<const char*, kMax> values_{};
  std::array<int, kMax> lengths_{};
  std::array<int, kMax> formats_{};
  std::array<std::array<char, 8>, kMax> ints_{};
};

class PgConnection {
 public:
  // `statements` must outlive the connection. With schema_version > 0 every
  // (re)connection first checks that the database's schema is that version
  // (kUnsupportedVersion otherwise: run `attune-relay db migrate`).
  PgConnection(std::string conninfo, std::span<const StatementSql> statements,
               int schema_version = 0);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Connects when there is no healthy connection. While backing off after a
  // failed attempt it fails at once (kIoError) instead of blocking.
  // After connecting: synchronous_commit = on for this session (a commit
  // returns only once the WAL is flushed, and on the synchronous standbys
  // when the operator configured any), lock_timeout, and every statement
  // prepared.
  Status Ensure();
  // True once a query found the connection broken (reconnect pending).
  bool broken() const { return conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK; }

  // A utility command without parameters (BEGIN, COMMIT, SAVEPOINT, ...).
  Status Exec(const char* sql);
  // A query without parameters, text-format result.
  Result<PgResult> Query(const char* sql);
  // Runs the prepared statement `index` (into the statements span).
  // `outside_transaction`: a read may be retried on a new connection.
  // Errors: kIoError with the server's message (never parameter values).
  Result<PgResult> Run(size_t index, const PgParams& params, bool outside_transaction = false);

  // --- pipeline mode (libpq), used for the statements of one transaction --
  // Statements are sent without waiting; the server runs them in order. A
  // statement whose answer is needed (Pipelined) is followed by a Sync and
  // waits for its result and for every deferred one before it; a deferred
  // statement's failure is reported by the next Pipelined call or by
  // EndPipeline (the first error of the pipeline; every statement after a
  // failed one is skipped by the server). Errors: kIoError.
  Status BeginPipeline();
  bool in_pipeline() const { return in_pipeline_; }
  // A parameterless command (BEGIN) or a prepared statement, not awaited.
  // `expect_row`: the statement must return or change exactly one row.
  Status Defer(const char* sql, bool wanted = false);
  // `wanted`: its result is returned by the next Collect().
  Status Defer(size_t index, const PgParams& params, bool expect_row, bool wanted = false);
  // Waits for everything sent so far: the wanted results, in order, or the
  // pipeline's first error.
  Result<std::vector<PgResult>> Collect();
  // Defer(wanted) + Collect() for one statement.
  Result<PgResult> Pipelined(size_t index, const PgParams& params);
  // Sends `sql` (COMMIT or ROLLBACK), waits for everything and leaves
  // pipeline mode. After a failure in the pipeline the transaction is rolled
  // back (ROLLBACK) before it returns the first error.
  Result<PgResult> EndPipeline(const char* sql);

  // pg_stat_activity.application_name of later connections, unless the
  // connection string sets one.
  void set_application_name(std::string name) { application_name_ = std::move(name); }

  // Server process id of the current connection, 0 when disconnected.
  int backend_pid() const { return conn_ == nullptr ? 0 : PQbackendPID(conn_); }
  PGconn* raw() { return conn_; }
  // Marks the connection broken (the next Ensure() reconnects).
  void Drop();

 private:
  Error Failure(const char* what, PGresult* r);
  Status CheckSchema();
  // Leaves pipeline mode after a failure that may have left results unread.
  Error PipelineBroken(Error e);

  struct Pending {
    const char* name = "";
    bool expect_row = false;
    bool wanted = false;
  };

  const std::string conninfo_{};
  const std::span<const StatementSql> statements_{};
  const int schema_version_ = 0;
  std::string application_name_ = "attune-relay";
  PGconn* conn_ = nullptr;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point next_attempt_{};
  bool in_pipeline_ = false;
  std::vector<Pending> pending_{};  // sent in the pipeline, results not read yet
};

}  // namespace attune::relay::pg
