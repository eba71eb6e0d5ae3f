#include "attune/relay/store/group_commit.h"

#include <utility>

namespace attune::relay {
namespace {

// Stands in for the real store when a transaction could not even begin, so
// every operation still produces its completion (which then sees the error)
// without writing anything outside a transaction.
class UnavailableStore final : public MailboxStore {
 public:
  explicit UnavailableStore(Error e) : e_(std::move(e)) {}
  Status Begin() override { return e_; }
  Status Commit() override { return e_; }
  void Rollback() override {}
  Result<std::optional<MailboxRecord>> GetMailbox(const MailboxId&) override { return e_; }
  Status InsertMailbox(const MailboxRecord&) override { return e_; }
  Status UpdateMailboxKeys(const MailboxId&, const OwnerKey&, const Hash32&) override { return e_; }
  Result<bool> DeleteMailbox(const MailboxId&) override { return e_; }
  Status AppendMessage(const MailboxId&, uint64_t, const Blob&, uint64_t) override { return e_; }
  Result<std::vector<StoredMessage>> FetchMessages(const MailboxId&, uint64_t, uint64_t, size_t,
                                                   size_t) override {
    return e_;
  }
  Result<bool> DeleteMessage(const MailboxId&, uint64_t) override { return e_; }
  Result<uint64_t> PurgeExpired(uint64_t, size_t) override { return e_; }
  Result<int64_t> InsertCredential(const Hash32&, uint64_t, uint64_t) override { return e_; }
  Result<std::optional<CredentialRecord>> FindCredential(const Hash32&) override { return e_; }
  Status SetCredentialUses(int64_t, uint64_t) override { return e_; }
  Result<std::vector<CredentialRecord>> ListCredentials() override { return e_; }
  Result<bool> RevokeCredential(int64_t) override { return e_; }
  Status InsertTicket(const TicketRecord&) override { return e_; }
  Result<std::optional<TicketRecord>> FindTicket(const Hash32&) override { return e_; }
  Status DeleteTicket(const Hash32&) override { return e_; }

 private:
  Error e_{};
};

}  // namespace

GroupCommitter::GroupCommitter(MailboxStore& store, size_t max_batch, Mode mode,
                               size_t max_batch_bytes)
    : store_(store),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      mode_(mode),
      max_batch_bytes_(max_batch_bytes) {}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void GroupCommitter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool GroupCommitter::Submit(Operation op, Source source, size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    queue_.Push(std::move(op), source, bytes);
  }
  cv_.notify_one();
  return true;
}

void GroupCommitter::SetPoster(Poster poster) {
  std::lock_guard<std::mutex> lock(mu_);
  poster_ = poster ? std::make_shared<const Poster>(std::move(poster)) : nullptr;
}

void GroupCommitter::Announce(std::function<void()> f) {
  if (announcing_) announced_.emplace_back(current_op_, std::move(f));
}

bool GroupCommitter::posts_completions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return poster_ != nullptr;
}

size_t GroupCommitter::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size() + in_progress_;
}

GroupCommitter::Stats GroupCommitter::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void GroupCommitter::Run() {
  std::vector<Operation> batch;
  std::shared_ptr<const Poster> poster;
  bool maintenance_due = false;  // a batch committed since the last idle AfterCommit
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto has_work = [&] { return stopping_ || !queue_.empty(); };
      if (maintenance_due && !cv_.wait_for(lock, kIdleMaintenanceDelay, has_work)) {
        // Idle for a while: housekeeping (the WAL checkpoint) costs no
        // request any latency now.
        lock.unlock();
        store_.AfterCommit(/*idle=*/true);
        maintenance_due = false;
        lock.lock();
      }
      cv_.wait(lock, has_work);
      if (queue_.empty()) {  // stopping and drained
        lock.unlock();
        if (maintenance_due) store_.AfterCommit(/*idle=*/true);
        return;
      }
      queue_.TakeBatch(batch, max_batch_, max_batch_bytes_);
      in_progress_ = batch.size();
      poster = poster_;
    }
    // While this batch is being written and fsync'd, new operations queue up
    // and form the next batch: that is the group commit.
    const auto started = std::chrono::steady_clock::now();
    bool failed = false;
    std::vector<std::pair<Completion, Status>> done;
    done.reserve(batch.size());
    if (mode_ == Mode::kReadOnly) {
      for (Operation& op : batch) done.emplace_back(op(store_), Status::Ok());
    } else {
      poster_for_announcements_ = poster.get();
      announcing_ = poster != nullptr && store_.SkipsIdsOfFailedCommits();
      failed = RunTransactional(batch, done);
      announcing_ = false;
      poster_for_announcements_ = nullptr;
    }
    if (poster) {
      (*poster)([done = std::make_shared<decltype(done)>(std::move(done))] {
        for (auto& [completion, status] : *done) {
          if (completion) completion(status);
        }
      });
    } else {
      for (auto& [completion, status] : done) {
        if (completion) completion(status);
      }
    }
    if (mode_ == Mode::kTransactional) {
      // Under load only the store's own bound (e.g. every 64 batches) acts.
      store_.AfterCommit(/*idle=*/false);
      maintenance_due = true;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.batches++;
      stats_.operations += batch.size();
      if (failed) stats_.failed_batches++;
      stats_.busy_ns += static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                  std::chrono::steady_clock::now() - started)
                                                  .count());
      in_progress_ = 0;
    }
    batch.clear();
  }
}

bool GroupCommitter::RunTransactional(std::vector<Operation>& batch,
                                      std::vector<std::pair<Completion, Status>>& out) {
  // Each operation runs in its own scope (SAVEPOINT): one that fails is
  // undone alone and told so, the others commit. If the database ends the
  // transaction on its own, the operations run in it so far lost their
  // writes and fail; the rest of the batch runs in a new transaction, never
  // in autocommit mode.
  struct Done {
    Completion completion{};
    Status status{};
  };
  std::vector<Done> done;
  done.reserve(batch.size());
  bool any_failed = false;
  size_t next = 0;
  while (next < batch.size()) {
    const size_t first = done.size();
    Status began = store_.Begin();
    if (!began.ok()) {
      // Nothing can be written now: the remaining operations still produce
      // their completions, against a store that refuses everything.
      UnavailableStore unavailable(began.error());
      for (; next < batch.size(); ++next) {
        current_op_ = done.size();
        done.push_back(Done{batch[next](unavailable), began});
      }
      any_failed = true;
      break;
    }
    bool lost = false;
    for (; next < batch.size() && !lost; ++next) {
      Status scope = store_.BeginOperation();
      if (!scope.ok()) {
        UnavailableStore unavailable(scope.error());
        current_op_ = done.size();
        done.push_back(Done{batch[next](unavailable), scope});
      } else {
        current_op_ = done.size();
        Completion c = batch[next](store_);
        done.push_back(Done{std::move(c), store_.EndOperation()});
      }
      if (!done.back().status.ok()) any_failed = true;
      lost = !store_.TransactionOpen();
    }
    if (lost) {
      announced_.clear();  // nothing of this transaction is announced
      store_.Rollback();
      Status gone(MakeError(ErrorCode::kIoError, "storage transaction was rolled back"));
      for (size_t i = first; i < done.size(); ++i) {
        if (done[i].status.ok()) done[i].status = gone;
      }
      continue;
    }
    if (!announced_.empty()) {
      // One post for the transaction's successful operations, before the
      // COMMIT's fsync.
      auto fns = std::make_shared<std::vector<std::function<void()>>>();
      for (auto& [index, f] : announced_) {
        if (index < done.size() && done[index].status.ok()) fns->push_back(std::move(f));
      }
      announced_.clear();
      if (!fns->empty() && poster_for_announcements_ != nullptr) {
        (*poster_for_announcements_)([fns] {
          for (auto& f : *fns) f();
        });
      }
    }
    Status committed = store_.Commit();
    if (!committed.ok()) {
      any_failed = true;
      for (size_t i = first; i < done.size(); ++i) {
        if (done[i].status.ok()) done[i].status = committed;
      }
    }
  }
  announced_.clear();
  for (Done& d : done) out.emplace_back(std::move(d.completion), std::move(d.status));
  return any_failed;
}

}  // namespace attune::relay
