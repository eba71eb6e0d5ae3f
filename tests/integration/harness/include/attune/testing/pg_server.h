// PostgreSQL 15 servers for tests, run by scripts/pg_test_server.sh: a
// cluster in a fresh directory, as an unprivileged user, on a free
// 127.0.0.1 port, password only in a pgpass file.
//
// Shared(): the server of this test run. Under CTest the fixture
// `attune_pg_server` started it and ATTUNE_TEST_PG_DIR names its directory;
// a test binary run by hand starts one on first use and stops it at exit.
// StartPrivate(): a server of the caller's own, for tests that crash it.
//
// Thread safety: Shared() may be called from any thread; a PgServer is used
// by one thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "attune/base/result.h"

namespace attune::testing {

class PgServer {
 public:
  // The shared server, or nullptr when PostgreSQL is not installed; then
  // SkipReason() says why (for GTEST_SKIP). Other failures to start abort
  // with the script's output (a test must not silently not run).
  static PgServer* Shared();
  static std::string SkipReason();
  // kNotFound (message: the skip reason) when PostgreSQL is not installed.
  static Result<std::unique_ptr<PgServer>> StartPrivate();

  ~PgServer();  // stops the server when this object started it
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // libpq connection string for `dbname` (no password: passfile=).
  std::string Conninfo(const std::string& dbname = "postgres") const;
  // The same without dbname/passfile, as a relay config's store.connection
  // takes it; PasswordFile() goes to store.password_file.
  std::string ConnectionWithoutPassfile(const std::string& dbname) const;
  std::string PasswordFile() const { return (dir_ / "pgpass").string(); }
  // Creates a fresh empty database and returns its name.
  Result<std::string> CreateDatabase();
  // Runs `sql` on database "postgres" as the server's superuser; the first
  // column of every row (text), empty for commands.
  Result<std::vector<std::string>> Query(const std::string& sql) const;

  // pg_ctl stop -m immediate: the server dies without a shutdown
  // checkpoint, as on a crash; Restart() brings it back on the same port
  // (crash recovery replays the WAL).
  Status Crash();
  Status Restart();

 private:
  PgServer(std::filesystem::path dir, bool owned, std::string conninfo);
  static Result<std::unique_ptr<PgServer>> StartIn(const std::filesystem::path& dir, bool owned);
  Status Script(const std::string& command);

  std::filesystem::path dir_{};
  bool owned_ = false;
  std::string port_{};
};

}  // namespace attune::testing
