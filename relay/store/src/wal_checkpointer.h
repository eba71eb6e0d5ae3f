// Copies the WAL of a SQLite database into the database file on its own
// thread and connection (PASSIVE checkpoints), so that no commit carries a
// checkpoint: SQLite's automatic checkpoint runs inside the COMMIT that
// crosses its threshold, and its page copies and database fsync then delay
// every request of that batch (docs/PROTOCOL.md (part mailbox) section 8).
//
// A PASSIVE checkpoint never waits for the writer or readers and never
// blocks them; once it has copied every frame, the writer's next
// transaction starts the WAL over from its beginning.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "attune/base/result.h"

struct sqlite3;

namespace attune::relay {

class WalCheckpointer {
 public:
  struct Stats {
    uint64_t steps = 0;        // checkpoints attempted and finished, failed or not
    uint64_t checkpoints = 0;  // of which succeeded
    int copied_frames = 0;     // WAL frames in the database file after the last success
  };

  // Opens a second connection to the existing database at `path` (through
  // the sqlite3_vfs named `vfs`, empty for the default) and starts the
  // thread. kIoError when the file cannot be opened.
  static Result<std::unique_ptr<WalCheckpointer>> Start(const std::string& path,
                                                        const std::string& vfs);
  // Stops the thread (after the checkpoint in progress) and closes the
  // connection.
  ~WalCheckpointer();

  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Asks for a checkpoint and returns at once; requests made while one runs
  // are served by one more checkpoint after it.
  void Request();
  Stats stats() const;
  // While the returned lock is held, no checkpoint of this thread runs: the
  // writer holds it for its own checkpoints, which then never fail with
  // SQLITE_BUSY because of this one (they wait for it to finish instead).
  std::unique_lock<std::mutex> Exclusive() { return std::unique_lock<std::mutex>(step_mu_); }

 private:
  explicit WalCheckpointer(sqlite3* db) : db_(db) {}
  void Run();
  // fsync of the database file through this connection's VFS.
  int SyncDatabaseFile();

  sqlite3* db_ = nullptr;  // used only by the thread once started
  std::mutex step_mu_{};   // held during each checkpoint (see Exclusive())
  mutable std::mutex mu_{};
  std::condition_variable cv_{};
  bool requested_ = false;
  bool stopping_ = false;
  Stats stats_{};
  std::thread thread_{};
};

}  // namespace attune::relay
