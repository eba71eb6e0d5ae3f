#include "attune/testing/pg_server.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>

#include "attune/testing/process.h"
#include "attune/testing/temp_dir.h"

namespace attune::testing {
namespace {

constexpr const char* kScript = ATTUNE_PG_TEST_SERVER_SCRIPT;
constexpr auto kScriptTimeout = std::chrono::seconds(120);

std::mutex g_mu;
std::unique_ptr<PgServer> g_shared;  // NOLINT: process-wide test fixture
std::string g_skip;                  // NOLINT
bool g_tried = false;                // NOLINT

std::filesystem::path FreshDir() {
  std::random_device rd;
  return std::filesystem::temp_directory_path() /
         ("attune-pg-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Result<Completed> RunScript(const std::string& command, const std::filesystem::path& dir) {
  ProcessOptions options;
  options.executable = kScript;
  options.args = {command, dir.string()};
  return RunToCompletion(options, kScriptTimeout);
}

}  // namespace

PgServer::PgServer(std::filesystem::path dir, bool owned, std::string port)
    : dir_(std::move(dir)), owned_(owned), port_(std::move(port)) {}

PgServer::~PgServer() {
  if (owned_) RunScript("stop", dir_).ok();
}

Result<std::unique_ptr<PgServer>> PgServer::StartIn(const std::filesystem::path& dir, bool owned) {
  if (owned) {
    ATTUNE_ASSIGN_OR_RETURN(Completed run, RunScript("start", dir));
    if (!run.status.Success()) {
      RunScript("stop", dir).ok();
      return MakeError(ErrorCode::kIoError,
                       "pg_test_server.sh start failed: " + run.stderr_text + run.stdout_text);
    }
  }
  if (auto skipped = ReadFileText(dir / "skipped")) {
    if (owned) RunScript("stop", dir).ok();
    return MakeError(ErrorCode::kNotFound, Trim(*skipped));
  }
  auto port = ReadFileText(dir / "port");
  if (!port) return MakeError(ErrorCode::kIoError, "no PostgreSQL test server in " + dir.string());
  return std::unique_ptr<PgServer>(new PgServer(dir, owned, Trim(*port)));
}

Result<std::unique_ptr<PgServer>> PgServer::StartPrivate() { return StartIn(FreshDir(), true); }

PgServer* PgServer::Shared() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_tried) {
    g_tried = true;
    const char* fixture = std::getenv("ATTUNE_TEST_PG_DIR");
    auto server = fixture != nullptr ? StartIn(fixture, false) : StartIn(FreshDir(), true);
    if (server.ok()) {
      g_shared = std::move(server).value();
      // Stopped at exit even when a test fails.
      std::atexit([] { g_shared.reset(); });
    } else if (server.error().code == ErrorCode::kNotFound) {
      g_skip = server.error().message;
    } else {
      std::fprintf(stderr, "cannot start the PostgreSQL test server: %s\n",
                   server.error().message.c_str());
      std::abort();
    }
  }
  return g_shared.get();
}

std::string PgServer::SkipReason() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_skip;
}

std::string PgServer::ConnectionWithoutPassfile(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + port_ + " user=attune dbname=" + dbname + " connect_timeout=5";
}

std::string PgServer::Conninfo(const std::string& dbname) const {
  return ConnectionWithoutPassfile(dbname) + " passfile=" + PasswordFile();
}

Result<std::string> PgServer::CreateDatabase() {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  const std::string name = "t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
                           "_" + std::to_string(rd());
  auto created = Query("CREATE DATABASE " + name);
  if (!created.ok()) {
    return MakeError(ErrorCode::kIoError, "create database: " + created.error().message);
  }
  return name;
}

Result<std::vector<std::string>> PgServer::Query(const std::string& sql) const {
  PGconn* conn = PQconnectdb(Conninfo().c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    return MakeError(ErrorCode::kIoError, "connect: " + msg);
  }
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(r);
  const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  std::vector<std::string> column;
  if (status == PGRES_TUPLES_OK && PQnfields(r) > 0) {
    for (int row = 0; row < PQntuples(r); ++row) column.emplace_back(PQgetvalue(r, row, 0));
  }
  std::string msg = ok ? "" : PQerrorMessage(conn);
  PQclear(r);
  PQfinish(conn);
  if (!ok) return MakeError(ErrorCode::kIoError, msg);
  return column;
}

Status PgServer::Script(const std::string& command) {
  ATTUNE_ASSIGN_OR_RETURN(Completed run, RunScript(command, dir_));
  if (!run.status.Success()) {
    return MakeError(ErrorCode::kIoError,
                     "pg_test_server.sh " + command + " failed: " + run.stderr_text);
  }
  return Status::Ok();
}

Status PgServer::Crash() { return Script("crash"); }
Status PgServer::Restart() { return Script("restart"); }

}  // namespace attune::testing
