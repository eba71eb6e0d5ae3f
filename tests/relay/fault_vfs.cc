#include "fault_vfs.h"

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>

namespace attune::relay::testing {
namespace {

// The wrapped file lives right behind this header in the same allocation.
struct FaultFile {
  sqlite3_file base{};
  sqlite3_file* real = nullptr;
  bool main_db = false;  // opened with SQLITE_OPEN_MAIN_DB
};

// HoldDatabaseSyncs() state.
std::mutex g_hold_mu;
std::condition_variable g_hold_cv;
bool g_holding = false;
int g_held = 0;

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs{};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }

int Injected(int code) {
  FaultVfs::failures++;
  return code;
}

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  if (FaultVfs::fail_reads) return Injected(SQLITE_IOERR_READ);
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (FaultVfs::fail_writes) return Injected(SQLITE_IOERR_WRITE);
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (FaultVfs::fail_writes) return Injected(SQLITE_IOERR_TRUNCATE);
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (FaultVfs::fail_syncs) return Injected(SQLITE_IOERR_FSYNC);
  if (reinterpret_cast<FaultFile*>(f)->main_db) {
    std::unique_lock<std::mutex> lock(g_hold_mu);
    if (g_holding) {
      g_held++;
      g_hold_cv.wait(lock, [] { return !g_holding; });
    }
  }
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

const sqlite3_io_methods kMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    ShmMap,
    ShmLock,
    ShmBarrier,
    ShmUnmap,
    Fetch,
    Unfetch,
};

int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* f = reinterpret_cast<FaultFile*>(file);
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  int rc = g_real->xOpen(g_real, name, f->real, flags, out_flags);
  file->pMethods = f->real->pMethods != nullptr ? &kMethods : nullptr;
  return rc;
}

}  // namespace

std::atomic<bool> FaultVfs::fail_reads{false};
std::atomic<bool> FaultVfs::fail_writes{false};
std::atomic<bool> FaultVfs::fail_syncs{false};
std::atomic<int> FaultVfs::failures{0};

void FaultVfs::HoldDatabaseSyncs() {
  std::lock_guard<std::mutex> lock(g_hold_mu);
  g_holding = true;
  g_held = 0;
}

void FaultVfs::ReleaseDatabaseSyncs() {
  {
    std::lock_guard<std::mutex> lock(g_hold_mu);
    g_holding = false;
  }
  g_hold_cv.notify_all();
}

int FaultVfs::HeldDatabaseSyncs() {
  std::lock_guard<std::mutex> lock(g_hold_mu);
  return g_held;
}

void FaultVfs::Register() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_real = sqlite3_vfs_find(nullptr);
    g_vfs = *g_real;  // the other methods ignore the vfs pointer they get
    g_vfs.pNext = nullptr;
    g_vfs.zName = kName;
    g_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_real->szOsFile;
    g_vfs.xOpen = Open;
    sqlite3_vfs_register(&g_vfs, 0);
  });
}

}  // namespace attune::relay::testing
