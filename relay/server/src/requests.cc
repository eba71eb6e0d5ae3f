// Request handling and subscription delivery for a Connection. Storage work
// runs on the committer's thread; its results come back here (io thread)
// only after the batch holding them is durable.
#include <algorithm>
#include <type_traits>
#include <utility>

#include "asio/post.hpp"
#include "attune/crypto/random.h"
#include "attune/mailbox/relay_frame.h"
#include "attune/relay/server/log.h"
#include "server_state.h"

namespace attune::relay {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

// Storage work each request is charged against the global bound: its blob,
// or a nominal size for everything else.
constexpr size_t kNominalOperationBytes = 256;

template <typename Work, typename Done>
void Connection::SubmitStorage(GroupCommitter& queue, uint64_t request_id, Work work, Done done,
                               size_t bytes) {
  pending_requests_++;
  server_.queued_operations++;
  server_.queued_bytes += bytes;
  asio::io_context* io = &server_.io;
  auto self = shared_from_this();
  // With a poster (RelayServer sets one) the completion already runs on the
  // io thread, together with the rest of its batch; otherwise it is posted.
  const bool on_io_thread = queue.posts_completions();
  // `self` travels storage thread -> io thread by move, so the last
  // reference to a Connection is never dropped on the storage thread.
  bool queued = queue.Submit(
      [self, io, work = std::move(work), done = std::move(done), bytes,
       on_io_thread](MailboxStore& store) mutable -> GroupCommitter::Completion {
        auto result = work(store);
        return [self = std::move(self), io, result = std::move(result), done = std::move(done),
                bytes, on_io_thread](const Status& commit) mutable {
          auto finish = [self = std::move(self), result = std::move(result), done = std::move(done),
                         ok = commit.ok(), bytes]() mutable {
            self->pending_requests_--;
            done(*self, std::move(result), ok);
            self->OnStorageCompleted(bytes);
          };
          if (on_io_thread) {
            finish();
          } else {
            asio::post(*io, std::move(finish));
          }
        };
      },
      // Fair across connections (FairQueue); a fetch costs a nominal size.
      reinterpret_cast<GroupCommitter::Source>(this), std::max(bytes, kNominalOperationBytes));
  if (!queued) {
    pending_requests_--;
    OnStorageCompleted(bytes);
    RespondCode(request_id, Code::kUnavailable, "shutting down");
  }
}

void Connection::OnStorageCompleted(size_t bytes) {
  server_.OnStorageDone(bytes);
  ResumeReading();
}

void Connection::HandleRequest(ValidatedRequest req) {
  const ConnectionLimits& limits = server_.config.limits;
  const uint64_t rid = req.request_id;
  server_.stats.requests++;
  if (draining_) return;
  if (server_.shutting_down) {
    RespondCode(rid, Code::kUnavailable, "shutting down");
    return;
  }
  // An ack of an in-flight delivery only frees resources (a window slot and
  // a stored row): it is never rate limited, so a fast drain never stalls
  // (section 5). Everything else takes a token. A client that ignores
  // RATE_LIMITED only gets more RATE_LIMITED answers: what it can make the
  // relay queue is bounded by the reader stopping at a full write queue.
  bool free_ack = false;
  if (const auto* ack = std::get_if<AckRequest>(&req.body)) {
    const Subscription* sub = FindSubscription(ack->mailbox_id);
    free_ack = sub != nullptr && sub->active &&
               std::find(sub->in_flight.begin(), sub->in_flight.end(), ack->message_id) !=
                   sub->in_flight.end();
  }
  if (!free_ack &&
      !requests_.TryTake(limits.requests_per_second, limits.request_burst, server_.NowNs())) {
    RespondCode(rid, Code::kRateLimited, "too many requests");
    return;
  }
  // Acks are bounded by the delivery windows instead (see below).
  if (pending_requests_ >= limits.max_pending_requests &&
      !std::holds_alternative<PingRequest>(req.body) &&
      !std::holds_alternative<AckRequest>(req.body)) {
    RespondCode(rid, Code::kRateLimited, "too many requests in flight");
    return;
  }

  const MailboxLimits* mlimits = &server_.config.mailbox;
  const uint64_t now = server_.NowUnix();
  crypto::RandomSource* random = &server_.random;
  auto finish = [rid](Connection& c, Outcome o, bool committed) {
    if (!committed) o = Outcome{Code::kUnavailable, "storage unavailable", 0, std::nullopt};
    c.Respond(rid, o);
  };

  std::visit(
      Overloaded{
          [&](PingRequest&) { RespondCode(rid, Code::kOk, ""); },
          [&](CreateMailboxRequest& r) {
            SubmitStorage(
                server_.committer, rid,
                [r, now](MailboxStore& s) { return CreateMailbox(s, r, now); }, finish,
                kNominalOperationBytes);
          },
          [&](IssueTicketRequest& r) {
            SubmitStorage(
                server_.committer, rid,
                [r, mlimits, now, random](MailboxStore& s) {
                  return IssueTicket(s, r, *mlimits, now, *random);
                },
                finish, kNominalOperationBytes);
          },
          [&](SendRequest& r) {
            MailboxId id = r.mailbox_id;
            Blob blob = r.blob;
            const size_t bytes = blob->size() + kNominalOperationBytes;
            GroupCommitter* committer = &server_.committer;
            ServerState* state = &server_;
            SubmitStorage(
                server_.committer, rid,
                [r = std::move(r), mlimits, now, committer, state](MailboxStore& s) {
                  Outcome o = SendMessage(s, r, *mlimits, now);
                  // Caught-up subscribers get the message while its commit
                  // is in flight; the sender's OK still waits for the fsync
                  // (PROTOCOL.md section 2.3).
                  if (o.ok()) {
                    committer->Announce(
                        [state, id = r.mailbox_id, message_id = o.message_id, blob = r.blob] {
                          state->NotifyNewMessage(id, message_id, blob, /*tentative=*/true);
                        });
                  }
                  return o;
                },
                [rid, id, blob](Connection& c, Outcome o, bool committed) {
                  if (!committed) o = Outcome{Code::kUnavailable, "storage unavailable", 0, {}};
                  c.Respond(rid, o);
                  if (o.ok()) c.server_.NotifyNewMessage(id, o.message_id, blob);
                },
                bytes);
          },
          [&](SubscribeRequest& r) {
            if (FindSubscription(r.mailbox_id) != nullptr) {
              RespondCode(rid, Code::kAlreadyExists, "already subscribed");
              return;
            }
            if (subs_.size() >= limits.max_subscriptions_per_connection) {
              RespondCode(rid, Code::kQuotaExceeded, "too many subscriptions on this connection");
              return;
            }
            auto sub = std::make_unique<Subscription>();
            sub->mailbox_id = r.mailbox_id;
            sub->connection = this;
            subs_.push_back(std::move(sub));
            HandshakeHash h = session_->handshake_hash();
            MailboxId id = r.mailbox_id;
            SubmitStorage(
                server_.reader, rid,
                [r, h](MailboxStore& s) {
                  std::pair<Outcome, OwnerKey> result{};
                  result.first = AuthorizeSubscribe(s, r, h, &result.second);
                  return result;
                },
                [rid, id](Connection& c, std::pair<Outcome, OwnerKey> authorized, bool committed) {
                  if (c.closed_) return;
                  Subscription* sub = c.FindSubscription(id);
                  Outcome& o = authorized.first;
                  if (!committed) o = Outcome{Code::kUnavailable, "storage unavailable", 0, {}};
                  if (sub == nullptr || !o.ok()) {
                    if (sub != nullptr) c.RemoveSubscription(sub);
                    c.Respond(rid, o);
                    return;
                  }
                  sub->active = true;
                  sub->more_available = true;
                  sub->owner_key = authorized.second;
                  c.server_.AddSubscriber(sub);
                  c.Respond(rid, o);
                  c.MaybeFetch(*sub);
                },
                kNominalOperationBytes);
          },
          [&](AckRequest& r) {
            Subscription* sub = FindSubscription(r.mailbox_id);
            if (sub == nullptr || !sub->active) {
              RespondCode(rid, Code::kUnauthorized, "not subscribed to this mailbox");
              return;
            }
            // The first ack of an in-flight delivery needs no pending-request
            // budget: each delivery gets at most one, and no fetch starts while
            // the connection is at max_pending_requests (MaybeFetch), so
            // storage work stays bounded. Its slot frees now; the deletion
            // joins the next group commit and the OK follows it.
            // An id this subscription has not delivered yet changes nothing:
            // after a crash an id announced before its commit may be given to
            // another message, which a stale ack must not delete.
            if (r.message_id > sub->last_delivered) {
              RespondCode(rid, Code::kOk, "");
              return;
            }
            auto it = std::find(sub->in_flight.begin(), sub->in_flight.end(), r.message_id);
            const bool first_ack = it != sub->in_flight.end();
            if (!first_ack && pending_requests_ >= limits.max_pending_requests) {
              RespondCode(rid, Code::kRateLimited, "too many requests in flight");
              return;
            }
            if (first_ack) sub->in_flight.erase(it);
            SubmitStorage(
                server_.committer, rid, [r](MailboxStore& s) { return AckMessage(s, r); },
                [rid, id = r.mailbox_id, first_ack](Connection& c, Outcome o, bool committed) {
                  if (!committed) o = Outcome{Code::kUnavailable, "storage unavailable", 0, {}};
                  c.Respond(rid, o);
                  if (!first_ack || c.closed_) return;
                  Subscription* sub = c.FindSubscription(id);
                  if (sub != nullptr) c.MaybeFetch(*sub);
                },
                kNominalOperationBytes);
            if (first_ack) MaybeFetch(*sub);
          },
          [&](DeleteMailboxRequest& r) {
            HandshakeHash h = session_->handshake_hash();
            CheckThenCommit(
                rid, [r, h](MailboxStore& s) { return CheckDelete(s, r, h); },
                [r](MailboxStore& s, const OwnerKey& key) { return CommitDelete(s, r, key); },
                [rid, id = r.mailbox_id](Connection& c, const Outcome& o) {
                  if (o.ok()) {
                    c.server_.EvictSubscribers(id, &c);
                    if (Subscription* sub = c.FindSubscription(id)) c.RemoveSubscription(sub);
                  }
                  c.Respond(rid, o);
                });
          },
          [&](RotateMailboxRequest& r) {
            HandshakeHash h = session_->handshake_hash();
            CheckThenCommit(
                rid, [r, h](MailboxStore& s) { return CheckRotate(s, r, h); },
                [r](MailboxStore& s, const OwnerKey& key) { return CommitRotate(s, r, key); },
                [rid, id = r.mailbox_id, new_key = r.new_owner_key](Connection& c,
                                                                    const Outcome& o) {
                  // Others authenticated with the old key: they must prove
                  // the new one. This connection proved both.
                  if (o.ok()) {
                    c.server_.EvictSubscribers(id, &c);
                    if (Subscription* sub = c.FindSubscription(id)) sub->owner_key = new_key;
                  }
                  c.Respond(rid, o);
                });
          },
      },
      req.body);
}

template <typename Check, typename Commit, typename Committed>
void Connection::CheckThenCommit(uint64_t request_id, Check check, Commit commit,
                                 Committed committed) {
  const uint64_t rid = request_id;
  // The reader looks the mailbox up (an unknown one costs no verification)
  // and verifies; the committer then writes only if the owner key is still
  // the one verified.
  SubmitStorage(
      server_.reader, rid, std::move(check),
      [rid, commit = std::move(commit), committed = std::move(committed)](
          Connection& c, OwnerCheck checked, bool read_ok) mutable {
        if (!read_ok) {
          checked.outcome = Outcome{Code::kUnavailable, "storage unavailable", 0, std::nullopt};
        }
        if (!checked.outcome.ok() || c.closed_) {
          c.Respond(rid, checked.outcome);
          // An invalid new owner key (PROTOCOL.md section 5).
          if (checked.outcome.code == Code::kBadRequest) c.CloseAfterFlush(CloseReason::kProtocol);
          return;
        }
        c.SubmitStorage(
            c.server_.committer, rid,
            [commit = std::move(commit), key = checked.verified_owner_key](MailboxStore& s) {
              return commit(s, key);
            },
            [committed = std::move(committed)](Connection& c2, Outcome o, bool ok) {
              if (!ok) o = Outcome{Code::kUnavailable, "storage unavailable", 0, std::nullopt};
              committed(c2, o);
            },
            kNominalOperationBytes);
      },
      kNominalOperationBytes);
}

Subscription* Connection::FindSubscription(const MailboxId& id) {
  for (auto& sub : subs_) {
    if (sub->mailbox_id == id) return sub.get();
  }
  return nullptr;
}

void Connection::RemoveSubscription(Subscription* sub) {
  if (sub->active) server_.RemoveSubscriber(sub);
  sub->active = false;
  subs_.erase(
      std::remove_if(subs_.begin(), subs_.end(),
                     [sub](const std::unique_ptr<Subscription>& s) { return s.get() == sub; }),
      subs_.end());
}

namespace {
// Write-queue credit one delivery of `blob_size` takes.
size_t DeliveryFrameBytes(size_t blob_size) { return blob_size + kDeliveryFrameOverhead; }
}  // namespace

// Credit-based delivery (section 5): a fetch reserves the write-queue credit
// its result may need, so the unwritten bytes of a connection never pass
// max_write_queue_bytes because of deliveries, whatever its subscriptions and
// window. Without credit the subscription waits; the writer calls this again
// as the socket drains.
void Connection::MaybeFetch(Subscription& sub) {
  const ConnectionLimits& limits = server_.config.limits;
  if (closed_ || draining_ || !sub.active || sub.fetch_pending || !sub.more_available) return;
  // Every delivery may bring an ack that bypasses max_pending_requests;
  // none are fetched while the connection's storage work is at that limit.
  if (pending_requests_ >= limits.max_pending_requests) return;
  const size_t free_slots =
      limits.delivery_window - std::min(limits.delivery_window, sub.in_flight.size());
  // No minimum batch (a client may wait for one more delivery before acking
  // the rest); batching comes from there being one fetch at a time: acks that
  // arrive while it runs free slots for the next, larger one.
  if (free_slots == 0) return;
  const size_t max_message = DeliveryFrameBytes(server_.config.mailbox.max_blob_size);
  const size_t credit = DeliveryCredit();
  // The store stops once it has collected max_bytes of blobs, so a result is
  // at most max_bytes plus one message: ask for credit minus one message.
  if (credit < max_message) return;
  const size_t max_bytes = std::max<size_t>(1, credit - max_message);
  sub.fetch_pending = true;
  sub.more_available = false;
  delivery_reserved_ += credit;
  const MailboxId id = sub.mailbox_id;
  const uint64_t after = sub.last_delivered;
  const uint64_t now = server_.NowUnix();
  SubmitStorage(
      server_.reader, 0,
      [id, after, count = free_slots, max_bytes, now](MailboxStore& s) {
        return s.FetchMessages(id, after, now, count, max_bytes);
      },
      [id, count = free_slots, max_bytes, credit, max_blob = server_.config.mailbox.max_blob_size](
          Connection& c, Result<std::vector<StoredMessage>> messages, bool committed) {
        c.delivery_reserved_ -= credit;
        if (c.closed_) return;
        Subscription* sub = c.FindSubscription(id);
        if (sub == nullptr || !sub->active) return;
        sub->fetch_pending = false;
        if (!committed || !messages.ok()) {
          // The database is unreachable: keep the connection (the client
          // did nothing wrong) and fetch again soon (cross_node.cc).
          Log(LogLevel::kWarn, "storage error while fetching messages; will retry");
          sub->more_available = true;
          c.server_.RetryFetchesSoon();
          return;
        }
        // Only a full fetch (count reached, or maybe cut short by the byte
        // budget) can have left messages behind; messages committed after
        // the read arrive through OnNewMessage, which sets more_available
        // itself while this fetch was pending.
        size_t bytes = 0;
        for (const StoredMessage& m : *messages) bytes += m.blob->size();
        if (messages->size() >= count || bytes + max_blob > max_bytes) sub->more_available = true;
        for (const StoredMessage& m : *messages) {
          if (m.message_id > sub->last_delivered) c.PushDelivery(*sub, m.message_id, m.blob);
        }
        // The reserved credit is back: any subscription may use it.
        c.RefillSubscriptions();
      },
      0);
}

void Connection::OnNewMessage(Subscription& sub, uint64_t message_id, const Blob& blob,
                              bool tentative) {
  const ConnectionLimits& limits = server_.config.limits;
  if (closed_ || draining_ || !sub.active || message_id <= sub.last_delivered) return;
  // Caught up and credit left: push straight from memory, no store read.
  if (!sub.fetch_pending && !sub.more_available && sub.in_flight.size() < limits.delivery_window &&
      pending_requests_ < limits.max_pending_requests &&
      DeliveryFrameBytes(blob->size()) <= DeliveryCredit()) {
    PushDelivery(sub, message_id, blob);
    return;
  }
  // Not committed yet, so not fetchable: the commit's own notification
  // follows.
  if (tentative) return;
  sub.more_available = true;
  MaybeFetch(sub);
}

void Connection::PushDelivery(Subscription& sub, uint64_t message_id, const Blob& blob) {
  std::string plaintext = mailbox::EncodeDelivery(sub.mailbox_id, message_id, *blob);
  SendPlaintext(plaintext, false);
  sub.last_delivered = message_id;
  sub.in_flight.push_back(message_id);
  server_.stats.deliveries++;
}

}  // namespace attune::relay
