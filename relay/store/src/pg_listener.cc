#include "attune/relay/store/pg_listener.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "pg_connection.h"
#include "pg_sql.h"

namespace attune::relay {
namespace {

std::optional<MailboxTag> ParseTag(const char* payload) {
  auto bytes = FromHex(payload);
  if (!bytes || bytes->size() != kMailboxTagSize) return std::nullopt;
  MailboxTag tag{};
  std::copy(bytes->begin(), bytes->end(), tag.begin());
  return tag;
}

}  // namespace

PgNotificationListener::PgNotificationListener(std::string conninfo, const MailboxTagger& tagger,
                                               std::function<int()> own_backend_pid)
    : conninfo_(std::move(conninfo)),
      tagger_(tagger),
      own_backend_pid_(std::move(own_backend_pid)),
      wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

PgNotificationListener::~PgNotificationListener() {
  Stop();
  if (wake_fd_ >= 0) close(wake_fd_);
}

void PgNotificationListener::Start(Events events) {
  if (thread_.joinable()) return;
  events_ = std::move(events);
  thread_ = std::thread([this] { Run(); });
}

bool PgNotificationListener::WaitUntilListening(std::chrono::milliseconds timeout) {
  std::unique_lock lock(listening_mu_);
  return listening_cv_.wait_for(lock, timeout, [this] { return connects_.load() > 0; });
}

void PgNotificationListener::Stop() {
  stopping_ = true;
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
}

int PgNotificationListener::Wait(int socket, int ms) {
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {socket, POLLIN, 0}};
  const nfds_t n = socket >= 0 ? 2 : 1;
  const int ready = poll(fds, n, ms);
  if (stopping_) return -1;
  return ready > 0 ? 1 : 0;
}

void PgNotificationListener::Run() {
  pg::PgConnection conn(conninfo_, {});
  // Named with the node's process id: an operator (and the cluster test)
  // can tell the nodes' listening connections apart in pg_stat_activity.
  conn.set_application_name("attune-relay listener " + std::to_string(getpid()));
  std::chrono::milliseconds backoff{0};
  const std::string listen = std::string("LISTEN ") + pg::kNotifyChannel;
  while (!stopping_) {
    if (conn.broken()) {
      if (!conn.Ensure().ok() || !conn.Exec(listen.c_str()).ok()) {
        conn.Drop();
        backoff = std::clamp(backoff * 2, pg::kMinBackoff, pg::kMaxBackoff);
        if (Wait(-1, static_cast<int>(backoff.count())) < 0) return;
        continue;
      }
      backoff = std::chrono::milliseconds{0};
      {
        std::lock_guard lock(listening_mu_);
        connects_++;
      }
      listening_cv_.notify_all();
      // Anything sent while we were not listening is gone: after a
      // reconnect, and also before the first LISTEN took effect (a client
      // may subscribe, and a peer node send, while this thread starts).
      if (events_.missed) events_.missed();
    }
    PGconn* raw = conn.raw();
    const int ready = Wait(PQsocket(raw), 10000);
    if (ready < 0) return;
    // Quiet for 10 s: a round trip proves the connection still works (a
    // vanished server does not always close the socket).
    if (ready == 0 && !conn.Exec("SELECT 1").ok()) conn.Drop();
    if (conn.broken() || PQconsumeInput(raw) == 0) {
      conn.Drop();
      continue;
    }
    const int own = own_backend_pid_ ? own_backend_pid_() : 0;
    while (PGnotify* n = PQnotifies(raw)) {
      if (n->be_pid != own) {
        // "<hex tag>": new messages; "x<hex tag>": keys rotated or deleted.
        const bool eviction = n->extra[0] == pg::kEvictionPrefix;
        auto tag = ParseTag(n->extra + (eviction ? 1 : 0));
        const auto& event = eviction ? events_.evicted : events_.changed;
        if (tag && event) event(*tag);
      }
      PQfreemem(n);
    }
    // A broken socket may only show as CONNECTION_BAD after consuming.
    if (PQstatus(raw) != CONNECTION_OK) conn.Drop();
  }
}

}  // namespace attune::relay
