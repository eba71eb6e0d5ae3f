// PgNotificationListener: a node's LISTEN connection. Receives the NOTIFYs
// that other nodes' PgMailboxStores queue with each stored message and turns
// them into MailboxNotifier events on its own thread.
//
// Notifications sent by this node's own writer connection are ignored (its
// subscribers were pushed directly). When the connection drops, it
// reconnects with exponential backoff (100 ms .. 5 s) and then reports
// `missed`, because PostgreSQL does not keep notifications for a listener
// that was away.
//
// Thread safety: Start() and Stop() from one thread; callbacks on the
// listener's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "attune/relay/store/mailbox_notifier.h"

namespace attune::relay {

class PgNotificationListener final : public MailboxNotifier {
 public:
  // `own_backend_pid` returns the server pid of this node's writer
  // connection (PgMailboxStore::backend_pid); `tagger` must outlive this.
  PgNotificationListener(std::string conninfo, const MailboxTagger& tagger,
                         std::function<int()> own_backend_pid);
  ~PgNotificationListener() override;  // Stop()s
  PgNotificationListener(const PgNotificationListener&) = delete;
  PgNotificationListener& operator=(const PgNotificationListener&) = delete;

  void Start(Events events) override;
  void Stop() override;
  const MailboxTagger& tagger() const override { return tagger_; }

  // Times the LISTEN connection was (re)established (for tests and logs).
  uint64_t connects() const { return connects_.load(); }

  // Blocks until the first LISTEN took effect or `timeout` passed; true when
  // listening. A node opens its port only after this (serve.cc), so its
  // first clients subscribe when it already hears the other nodes.
  bool WaitUntilListening(std::chrono::milliseconds timeout);

 private:
  void Run();
  // Waits until the socket is readable (1), `ms` passed (0) or Stop() (-1).
  int Wait(int socket, int ms);

  const std::string conninfo_{};
  const MailboxTagger& tagger_;
  const std::function<int()> own_backend_pid_{};
  Events events_{};
  int wake_fd_ = -1;  // eventfd: Stop() wakes the thread
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> connects_{0};
  std::mutex listening_mu_{};
  std::condition_variable listening_cv_{};
  std::thread thread_{};
};

}  // namespace attune::relay
