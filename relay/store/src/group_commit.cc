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

GroupCommitter::GroupCommitter(MailboxStore& store, size_t max_batch, Mode mode)
    : store_(store), max_batch_(max_batch == 0 ? 1 : max_batch), mode_(mode) {}

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

bool GroupCommitter::Submit(Operation op) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    queue_.push_back(std::move(op));
  }
  cv_.notify_one();
  return true;
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
  std::vector<Completion> completions;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      if (queue_.size() <= max_batch_) {
        batch.swap(queue_);
      } else {
        batch.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.begin() + static_cast<long>(max_batch_)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(max_batch_));
      }
      in_progress_ = batch.size();
    }
    // While this batch is being written and fsync'd, new operations queue up
    // and form the next batch: that is the group commit.
    const auto started = std::chrono::steady_clock::now();
    Status status;
    completions.reserve(batch.size());
    if (mode_ == Mode::kReadOnly) {
      for (Operation& op : batch) {
        Completion done = op(store_);
        if (done) done(status);
      }
    } else if (status = store_.Begin(); status.ok()) {
      for (Operation& op : batch) completions.push_back(op(store_));
      status = store_.Commit();
    } else {
      UnavailableStore unavailable(status.error());
      for (Operation& op : batch) completions.push_back(op(unavailable));
    }
    for (Completion& done : completions) {
      if (done) done(status);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.batches++;
      stats_.operations += batch.size();
      if (!status.ok()) stats_.failed_batches++;
      stats_.busy_ns += static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                  std::chrono::steady_clock::now() - started)
                                                  .count());
      in_progress_ = 0;
    }
    batch.clear();
    completions.clear();
  }
}

}  // namespace attune::relay
