#include "wal_checkpointer.h"

#include <sqlite3.h>

#include <utility>

namespace attune::relay {
namespace {

// For reading the header while another connection may hold a lock.
constexpr int kOpenBusyTimeoutMs = 5000;

}  // namespace

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(const std::string& path,
                                                                const std::string& vfs) {
  sqlite3* db = nullptr;
  // No SQLITE_OPEN_CREATE: the store has created the file and its schema.
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                 vfs.empty() ? nullptr : vfs.c_str());
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return MakeError(ErrorCode::kIoError, "sqlite: open checkpoint connection: " + message);
  }
  // A fresh connection knows the file is in WAL mode only once it has read
  // it: until then a checkpoint does nothing. (journal_mode=WAL is
  // persistent; the store set it.) A checkpoint syncs with its connection's
  // flags: the store's. This connection never writes a transaction, so it
  // never checkpoints on its own either.
  sqlite3_busy_timeout(db, kOpenBusyTimeoutMs);
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"}) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error != nullptr ? error : "unknown error";
      sqlite3_free(error);
      sqlite3_close(db);
      return MakeError(ErrorCode::kIoError, "sqlite: checkpoint connection: " + message);
    }
  }
  // PASSIVE never calls the busy handler; nothing else runs here.
  sqlite3_busy_timeout(db, 0);
  std::unique_ptr<WalCheckpointer> checkpointer(new WalCheckpointer(db));
  checkpointer->thread_ = std::thread([c = checkpointer.get()] { c->Run(); });
  return checkpointer;
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  sqlite3_close(db_);
}

void WalCheckpointer::Request() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    requested_ = true;
  }
  cv_.notify_one();
}

WalCheckpointer::Stats WalCheckpointer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

int WalCheckpointer::SyncDatabaseFile() {
  sqlite3_file* file = nullptr;
  const int rc = sqlite3_file_control(db_, "main", SQLITE_FCNTL_FILE_POINTER, &file);
  if (rc != SQLITE_OK || file == nullptr || file->pMethods == nullptr) return rc;
  return file->pMethods->xSync(file, SQLITE_SYNC_NORMAL);
}

void WalCheckpointer::Run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || requested_; });
      if (stopping_) return;
      requested_ = false;
    }
    int log_frames = 0;
    int copied = 0;
    int rc = SQLITE_OK;
    {
      std::lock_guard<std::mutex> step(step_mu_);
      rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
      // SQLite syncs the database file only in the checkpoint that copies
      // the very last frame, which the writer runs (see
      // SqliteMailboxStore::ContinueCheckpointCycle): sync here what this
      // step wrote, so that the writer's sync finds little left to flush.
      if (rc == SQLITE_OK && copied > 0) rc = SyncDatabaseFile();
    }
    // A failure (SQLITE_BUSY: another process's checkpoint; an I/O error)
    // leaves the WAL as it was: nothing is lost, the frames stay where
    // readers find them, and the writer asks again (it sees the step end).
    std::lock_guard<std::mutex> lock(mu_);
    stats_.steps++;
    if (rc == SQLITE_OK) {
      stats_.checkpoints++;
      stats_.copied_frames = copied;
    }
  }
}

}  // namespace attune::relay
