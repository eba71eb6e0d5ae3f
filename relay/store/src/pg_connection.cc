#include "pg_connection.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>

namespace attune::relay::pg {
namespace {

// libpq messages end with a newline; keep log lines to one line.
std::string OneLine(const char* msg) {
  std::string s = msg != nullptr ? msg : "unknown error";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

// Bounds how long a node's storage thread waits for a row lock held by
// another node's open transaction: a lock cycle between two nodes' batches
// (a deadlock) fails one operation after this long instead of the server's
// deadlock_timeout, and that operation alone is answered UNAVAILABLE.
//
// enable_seqscan = off: every statement of the store has an index path, and
// a queue table's statistics mislead the planner: messages holds few live
// rows (so a sequential scan looks cheapest, also in the generic plans of
// the set-based statements) but many pages of rows deleted since the last
// vacuum, which such a scan reads (~100-200 us per ack measured, against
// ~10 us by primary key).
// plan_cache_mode = force_generic_plan: each prepared statement is planned
// once per connection. Left to choose, PostgreSQL kept planning the locked
// read of a mailbox anew on every execution (~100 us each); every statement
// here is a lookup by key, whose generic plan is the right one.
constexpr const char* kSessionSetup =
    "SET synchronous_commit = on; SET lock_timeout = '250ms'; "
    "SET idle_in_transaction_session_timeout = '60s'; SET enable_seqscan = off; "
    "SET plan_cache_mode = force_generic_plan";

// Server notices ("relation already exists, skipping") are not errors and
// must not reach stderr, where they would look like one.
void IgnoreNotice(void*, const char*) {}

}  // namespace

uint64_t PgResult::affected() const {
  const char* n = PQcmdTuples(r_);
  return (n == nullptr || *n == 0) ? 0 : std::strtoull(n, nullptr, 10);
}

ByteView PgResult::Bytes(int row, int col) const {
  return ByteView(reinterpret_cast<const uint8_t*>(PQgetvalue(r_, row, col)),
                  static_cast<size_t>(PQgetlength(r_, row, col)));
}

int64_t PgResult::Int8(int row, int col) const {
  ByteView b = Bytes(row, col);
  if (b.size() != 8) return 0;
  uint64_t v = 0;
  for (uint8_t byte : b) v = (v << 8) | byte;
  return static_cast<int64_t>(v);
}

bool PgResult::Bool(int row, int col) const {
  ByteView b = Bytes(row, col);
  return b.size() == 1 && b[0] != 0;
}

namespace {
void PutInt32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}
}  // namespace

PgArray::PgArray(uint32_t element_oid, size_t count) {
  PutInt32(buf_, 1);  // dimensions
  PutInt32(buf_, 0);  // no NULLs
  PutInt32(buf_, element_oid);
  PutInt32(buf_, static_cast<uint32_t>(count));
  PutInt32(buf_, 1);  // lower bound
}

PgArray& PgArray::Add(ByteView element) {
  PutInt32(buf_, static_cast<uint32_t>(element.size()));
  buf_.append(reinterpret_cast<const char*>(element.data()), element.size());
  return *this;
}

PgArray& PgArray::Add(int64_t element) {
  PutInt32(buf_, 8);
  const auto u = static_cast<uint64_t>(element);
  PutInt32(buf_, static_cast<uint32_t>(u >> 32));
  PutInt32(buf_, static_cast<uint32_t>(u & 0xffffffffu));
  return *this;
}

PgParams& PgParams::Bytes(ByteView v) {
  values_[n_] = reinterpret_cast<const char*>(v.data());
  lengths_[n_] = static_cast<int>(v.size());
  formats_[n_] = 1;
  n_++;
  return *this;
}

PgParams& PgParams::Int8(int64_t v) {
  auto& buf = ints_[n_];
  auto u = static_cast<uint64_t>(v);
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  values_[n_] = buf.data();
  lengths_[n_] = 8;
  formats_[n_] = 1;
  n_++;
  return *this;
}

PgParams& PgParams::Text(const std::string& v) {
  values_[n_] = v.c_str();
  lengths_[n_] = 0;
  formats_[n_] = 0;
  n_++;
  return *this;
}

PgConnection::PgConnection(std::string conninfo, std::span<const StatementSql> statements,
                           int schema_version)
    : conninfo_(std::move(conninfo)), statements_(statements), schema_version_(schema_version) {}

Result<PgResult> PgConnection::Query(const char* sql) {
  if (conn_ == nullptr) return MakeError(ErrorCode::kIoError, "postgres: not connected");
  PGresult* r = PQexec(conn_, sql);
  const ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Error e = Failure(sql, r);
    PQclear(r);
    return e;
  }
  return PgResult(r);
}

PgConnection::~PgConnection() { Drop(); }

void PgConnection::Drop() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
  in_pipeline_ = false;
  pending_.clear();
}

Status PgConnection::BeginPipeline() {
  if (conn_ == nullptr) return MakeError(ErrorCode::kIoError, "postgres: not connected");
  if (PQenterPipelineMode(conn_) != 1) return Failure("pipeline", nullptr);
  in_pipeline_ = true;
  pending_.clear();
  return Status::Ok();
}

Error PgConnection::PipelineBroken(Error e) {
  // Results may be left unread: the connection's state is unknown, so it is
  // closed (the server rolls the transaction back) and reopened on demand.
  Drop();
  return e;
}

Status PgConnection::Defer(const char* sql, bool wanted) {
  if (!in_pipeline_) return MakeError(ErrorCode::kIoError, "postgres: connection lost");
  if (PQsendQueryParams(conn_, sql, 0, nullptr, nullptr, nullptr, nullptr, 1) != 1) {
    return PipelineBroken(Failure(sql, nullptr));
  }
  pending_.push_back(Pending{sql, false, wanted});
  return Status::Ok();
}

Status PgConnection::Defer(size_t index, const PgParams& params, bool expect_row, bool wanted) {
  if (!in_pipeline_) return MakeError(ErrorCode::kIoError, "postgres: connection lost");
  const StatementSql& s = statements_[index];
  if (PQsendQueryPrepared(conn_, s.name, params.count(), params.values(), params.lengths(),
                          params.formats(), /*resultFormat=*/1) != 1) {
    return PipelineBroken(Failure(s.name, nullptr));
  }
  pending_.push_back(Pending{s.name, expect_row, wanted});
  // Bounds the unread results (the server would block writing them while
  // this side blocks writing statements).
  if (!wanted && pending_.size() >= kMaxDeferred) {
    for (const Pending& p : pending_) {
      if (p.wanted) return Status::Ok();  // a Collect() follows
    }
    auto drained = Collect();
    if (!drained.ok()) return drained.error();
  }
  return Status::Ok();
}

Result<std::vector<PgResult>> PgConnection::Collect() {
  if (!in_pipeline_) return MakeError(ErrorCode::kIoError, "postgres: connection lost");
  if (PQpipelineSync(conn_) != 1) return PipelineBroken(Failure("sync", nullptr));
  std::optional<Error> first;
  std::vector<PgResult> wanted;
  for (const Pending& p : pending_) {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) return PipelineBroken(Failure(p.name, nullptr));
    const ExecStatusType status = PQresultStatus(r);
    PgResult owned(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      if (p.expect_row && owned.affected() != 1 && !first) {
        first =
            MakeError(ErrorCode::kIoError, std::string("postgres: ") + p.name + ": no row changed");
      }
    } else if (!first) {
      first = status == PGRES_PIPELINE_ABORTED
                  ? MakeError(ErrorCode::kIoError,
                              std::string("postgres: ") + p.name + ": skipped after a failure")
                  : Failure(p.name, r);
    }
    if (p.wanted) wanted.push_back(std::move(owned));
    // Each statement's results end with a null.
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  }
  pending_.clear();
  PGresult* sync = PQgetResult(conn_);
  const bool synced = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!synced) return PipelineBroken(Failure("sync", nullptr));
  if (first) return *first;
  return wanted;
}

Result<PgResult> PgConnection::Pipelined(size_t index, const PgParams& params) {
  ATTUNE_RETURN_IF_ERROR(Defer(index, params, false, /*wanted=*/true));
  ATTUNE_ASSIGN_OR_RETURN(std::vector<PgResult> results, Collect());
  return std::move(results.back());
}

Result<PgResult> PgConnection::EndPipeline(const char* sql) {
  if (!in_pipeline_) return MakeError(ErrorCode::kIoError, "postgres: connection lost");
  Result<PgResult> r = [&]() -> Result<PgResult> {
    ATTUNE_RETURN_IF_ERROR(Defer(sql, /*wanted=*/true));
    ATTUNE_ASSIGN_OR_RETURN(std::vector<PgResult> results, Collect());
    return std::move(results.back());
  }();
  if (!in_pipeline_) return r;  // dropped
  if (PQexitPipelineMode(conn_) != 1) {
    return PipelineBroken(r.ok() ? Failure("pipeline", nullptr) : r.error());
  }
  in_pipeline_ = false;
  // The statements after a failure were skipped, `sql` too: the server's
  // transaction is still open (and aborted) until it hears ROLLBACK.
  if (!r.ok() && !broken()) Exec("ROLLBACK").ok();
  return r;
}

Error PgConnection::Failure(const char* what, PGresult* r) {
  std::string msg =
      r != nullptr ? OneLine(PQresultErrorMessage(r)) : OneLine(PQerrorMessage(conn_));
  if (msg.empty()) msg = OneLine(PQerrorMessage(conn_));
  return MakeError(ErrorCode::kIoError, std::string("postgres: ") + what + ": " + msg);
}

Status PgConnection::Ensure() {
  if (!broken()) return Status::Ok();
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    return MakeError(ErrorCode::kIoError, "postgres: database unavailable (reconnecting)");
  }
  Drop();
  // The operator's connection string may name the application itself;
  // otherwise pg_stat_activity shows which node's connection this is.
  const char* const keys[] = {"dbname", "fallback_application_name", nullptr};
  const char* const values[] = {conninfo_.c_str(), application_name_.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
  Status st = Status::Ok();
  if (PQstatus(conn_) != CONNECTION_OK) {
    st = MakeError(ErrorCode::kIoError,
                   "postgres: cannot connect: " + OneLine(PQerrorMessage(conn_)));
  } else {
    st = Exec(kSessionSetup);
    if (st.ok() && schema_version_ > 0) st = CheckSchema();
    for (const StatementSql& s : statements_) {
      if (!st.ok()) break;
      PGresult* r = PQprepare(conn_, s.name, s.sql, 0, nullptr);
      const bool prepared = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      if (!prepared) {
        st = MakeError(ErrorCode::kIoError, std::string("postgres: prepare ") + s.name + ": " +
                                                OneLine(PQerrorMessage(conn_)));
      }
    }
  }
  if (!st.ok()) {
    Drop();
    backoff_ = std::clamp(backoff_ * 2, kMinBackoff, kMaxBackoff);
    next_attempt_ = now + backoff_;
    return st;
  }
  backoff_ = std::chrono::milliseconds{0};
  return Status::Ok();
}

Status PgConnection::CheckSchema() {
  PGresult* r = PQexec(conn_, "SELECT version FROM attune_schema");
  const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
  int version = 0;
  if (ok) {
    const char* text = PQgetvalue(r, 0, 0);
    const char* end = text + PQgetlength(r, 0, 0);
    // Not a whole number: reported as version 0, which no release has.
    if (std::from_chars(text, end, version).ptr != end) version = 0;
  }
  PQclear(r);
  if (version != schema_version_) {
    return MakeError(ErrorCode::kUnsupportedVersion,
                     "postgres: database schema version " + std::to_string(version) + " is not " +
                         std::to_string(schema_version_) + " (run `attune-relay db migrate`)");
  }
  return Status::Ok();
}

Status PgConnection::Exec(const char* sql) {
  if (conn_ == nullptr) return MakeError(ErrorCode::kIoError, "postgres: not connected");
  PGresult* r = PQexec(conn_, sql);
  const ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Error e = Failure(sql, r);
    PQclear(r);
    return e;
  }
  PQclear(r);
  return Status::Ok();
}

Result<PgResult> PgConnection::Run(size_t index, const PgParams& params, bool outside_transaction) {
  if (conn_ == nullptr) return MakeError(ErrorCode::kIoError, "postgres: not connected");
  const StatementSql& s = statements_[index];
  PGresult* r = PQexecPrepared(conn_, s.name, params.count(), params.values(), params.lengths(),
                               params.formats(), /*resultFormat=*/1);
  if (s.read_only && outside_transaction && broken()) {
    PQclear(r);
    r = nullptr;
    ATTUNE_RETURN_IF_ERROR(Ensure());
    r = PQexecPrepared(conn_, s.name, params.count(), params.values(), params.lengths(),
                       params.formats(), /*resultFormat=*/1);
  }
  const ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Error e = Failure(s.name, r);
    PQclear(r);
    return e;
  }
  return PgResult(r);
}

}  // namespace attune::relay::pg
