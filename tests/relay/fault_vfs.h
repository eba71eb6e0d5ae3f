// A sqlite3_vfs for tests that wraps the default one and fails reads,
// writes or syncs on command, to reproduce disk errors (SQLITE_IOERR_*) at
// chosen points. Open a store with SqliteMailboxStore::Options::vfs =
// FaultVfs::kName after FaultVfs::Register().
#pragma once

#include <atomic>

namespace attune::relay::testing {

class FaultVfs {
 public:
  static constexpr const char* kName = "attune-fault";
  // Registers the VFS (not as the default); idempotent.
  static void Register();

  // While set, every call of that kind fails (on any file of the VFS).
  static std::atomic<bool> fail_reads;
  static std::atomic<bool> fail_writes;
  static std::atomic<bool> fail_syncs;
  // Calls failed so far (any kind).
  static std::atomic<int> failures;

  // While held, an fsync of a main database file (not of its WAL) waits
  // until released: a checkpoint then stays stuck in its last step.
  static void HoldDatabaseSyncs();
  static void ReleaseDatabaseSyncs();
  // Database fsyncs that started waiting since the last HoldDatabaseSyncs().
  static int HeldDatabaseSyncs();

  static void Clear() {
    fail_reads = false;
    fail_writes = false;
    fail_syncs = false;
  }
};

}  // namespace attune::relay::testing
