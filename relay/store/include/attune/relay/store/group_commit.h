// GroupCommitter: the relay's storage thread. Connections submit operations;
// the thread takes every operation queued so far (up to max_batch), runs them
// inside ONE transaction of the MailboxStore, commits (one fsync for the whole
// batch) and only then runs each operation's completion. So durability costs
// one fsync per batch, not per send, and no reply can announce a write that
// is not yet on disk.
//
// An Operation runs on the storage thread with the store inside the open
// transaction and returns the Completion to run after the commit. The
// Completion receives the operation's status: OK means everything the
// operation wrote is durable; an error means none of it was kept (reply
// UNAVAILABLE): the operation itself failed and was undone alone (its own
// SAVEPOINT, MailboxStore::BeginOperation), or its transaction was rolled
// back. The committer never runs an operation outside a transaction. Completions also run on the
// storage thread: they must be quick and hand results to the network thread (asio::post).
//
// Fairness: operations are taken into batches in fair order across the
// sources that submitted them (FairQueue: equal shares of bytes, each
// source's own operations in order), and a batch holds at most max_batch
// operations and max_batch_bytes of their sizes. So one commit's write and
// fsync stay short, and an operation from a client with little queued (a
// send at window 1 among 200 pipelining senders) goes into the next batch:
// it waits for at most the batch being committed.
//
// Thread safety: Submit() may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "attune/base/result.h"
#include "attune/relay/store/fair_queue.h"
#include "attune/relay/store/mailbox_store.h"

namespace attune::relay {

class GroupCommitter {
 public:
  using Completion = std::function<void(const Status& commit)>;
  using Operation = std::function<Completion(MailboxStore& store)>;
  // Runs a function on another thread (the relay's io thread), e.g. by
  // asio::post. With one set, the completions of a whole batch run there, in
  // order, from ONE posted function instead of on the storage thread: one
  // cross-thread hand-off per commit, not per operation.
  using Poster = std::function<void(std::function<void()>)>;

  // Bounds the work done under one transaction so a flood of sends cannot
  // delay every reply behind one huge commit.
  static constexpr size_t kDefaultMaxBatch = 1024;
  // Bounds the bytes (Submit's `bytes`) of one batch, so a flood of 60 KiB
  // sends makes commits of ~8 sends each rather than one of ~2 MiB.
  static constexpr size_t kDefaultMaxBatchBytes = size_t{512} * 1024;
  using Source = FairQueue<int>::Source;
  // MailboxStore::AfterCommit(idle=true) runs once no operation arrived for
  // this long after a batch (and when Stop() drains the queue), so a costly
  // checkpoint never delays a request that is already waiting or about to
  // follow (a client at window 1 sends its next message within ~1 ms).
  static constexpr std::chrono::milliseconds kIdleMaintenanceDelay{50};

  enum class Mode {
    kTransactional,  // writes: one transaction + fsync per batch (above)
    // Reads only, each operation in autocommit mode on its own connection to
    // the database, completed at once: with WAL a reader sees every committed
    // transaction and never waits for the writer's fsync.
    kReadOnly,
  };

  // `store` must outlive the committer.
  explicit GroupCommitter(MailboxStore& store, size_t max_batch = kDefaultMaxBatch,
                          Mode mode = Mode::kTransactional,
                          size_t max_batch_bytes = kDefaultMaxBatchBytes);
  ~GroupCommitter();  // Stop()s
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  void Start();
  // Runs every operation already submitted, then joins the thread. Later
  // Submit() calls return false.
  void Stop();

  // Queues `op` from `source` (e.g. the submitting connection; see
  // FairQueue), costing `bytes` (what it writes, roughly). False (and `op`
  // is dropped unrun) once Stop() has begun.
  bool Submit(Operation op, Source source = 0, size_t bytes = 0);

  // Sets where completions run (see Poster); empty: on the storage thread.
  void SetPoster(Poster poster);

  // Called by an operation on the storage thread: `f` runs on the poster's
  // thread once every operation of the transaction holding this one has run
  // and this one succeeded, while the COMMIT and its fsync are still in
  // flight (one post per transaction). So a delivery can leave before the
  // commit; the operation's completion still tells whether it was kept.
  // Dropped (never run) without a poster, in kReadOnly mode, when the
  // operation or its transaction failed before the commit, and when the
  // store may reuse ids after a failed commit
  // (MailboxStore::SkipsIdsOfFailedCommits()).
  void Announce(std::function<void()> f);
  // True once a poster is set: completions then run on its thread.
  bool posts_completions() const;

  // Operations submitted but whose completion has not run yet.
  size_t pending() const;

  struct Stats {
    uint64_t batches = 0;
    uint64_t operations = 0;
    uint64_t failed_batches = 0;  // batches where any operation failed
    uint64_t busy_ns = 0;         // time spent running batches (incl. commit)
  };
  Stats stats() const;

 private:
  void Run();
  // Runs one batch of kTransactional operations and their completions;
  // true when any operation failed.
  // `done` receives every completion with its status, in batch order.
  bool RunTransactional(std::vector<Operation>& batch,
                        std::vector<std::pair<Completion, Status>>& done);

  MailboxStore& store_;
  const size_t max_batch_ = 0;
  const Mode mode_{};
  const size_t max_batch_bytes_ = 0;
  mutable std::mutex mu_{};
  std::condition_variable cv_{};
  FairQueue<Operation> queue_{};
  std::shared_ptr<const Poster> poster_{};
  // Storage thread only: the batch's announcements (index into the batch's
  // results, function) and the index of the operation running now.
  std::vector<std::pair<size_t, std::function<void()>>> announced_{};
  size_t current_op_ = 0;
  bool announcing_ = false;  // a poster is set and the store allows it
  const Poster* poster_for_announcements_ = nullptr;
  size_t in_progress_ = 0;
  bool stopping_ = false;
  Stats stats_{};
  std::thread thread_{};
};

}  // namespace attune::relay
