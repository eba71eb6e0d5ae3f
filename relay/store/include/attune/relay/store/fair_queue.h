// FairQueue: the GroupCommitter's queue, fair across the sources that fill it
// (the relay's connections), so a flood from some never makes another wait.
//
// Weighted fair queuing by bytes (Demers, Keshav and Shenker 1989), all
// weights equal: the queue simulates serving every active source at the
// same rate. Its virtual time V advances by (bytes taken) / (number of
// active sources), a source being active while its last finish tag is ahead
// of V. An item gets the start tag max(V, finish tag of its source's
// previous item) and the finish tag start + size; items are taken by
// smallest finish tag, then by arrival. So:
//  - every source gets an equal share of the bytes taken, however many
//    items it queues;
//  - a source's own items are taken in the order they were pushed (its
//    finish tags only grow);
//  - an item from a source that has used less than its share (a client at
//    window 1 among senders of 60 KiB frames) finishes first, before what
//    the heavy sources queued: it waits for about the batch already taken.
//    A heavy source is recognised by its finish tag running ahead of V, not
//    by how much it has queued, so one kept at a single queued item by the
//    relay's admission bound still counts as heavy.
//
// Not thread-safe (the committer holds its mutex around every call).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace attune::relay {

template <typename T>
class FairQueue {
 public:
  // Identifies who submitted an item (e.g. a connection's address); items of
  // one source keep their order. 0 is a source like any other.
  using Source = uintptr_t;

  // Queues `item` of `bytes` (its cost for fairness and for the batch
  // bound; 0 counts as 1).
  void Push(T item, Source source, size_t bytes) {
    const double cost = static_cast<double>(std::max<size_t>(bytes, 1));
    double start = virtual_time_;
    auto it = finish_.find(source);
    if (it != finish_.end()) {
      start = std::max(start, it->second);
      active_.erase({it->second, source});
    } else {
      it = finish_.emplace(source, 0.0).first;
    }
    it->second = start + cost;
    active_.insert({it->second, source});
    heap_.push_back(Entry{it->second, next_seq_++, std::max<size_t>(bytes, 1), std::move(item)});
    std::push_heap(heap_.begin(), heap_.end(), Later);
  }

  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  // Sources whose finish tag is ahead of V (tests).
  size_t active_sources() const { return active_.size(); }

  // Moves items into `out`, in fair order, while at most `max_items` are
  // taken and their sizes add up to at most `max_bytes` (the first item is
  // taken whatever its size). Stops at the first item that does not fit, so
  // an item is never overtaken by one with a larger finish tag.
  void TakeBatch(std::vector<T>& out, size_t max_items, size_t max_bytes) {
    size_t items = 0;
    size_t bytes = 0;
    while (!heap_.empty() && items < max_items) {
      if (items > 0 && bytes + heap_.front().bytes > max_bytes) break;
      std::pop_heap(heap_.begin(), heap_.end(), Later);
      Entry e = std::move(heap_.back());
      heap_.pop_back();
      bytes += e.bytes;
      items++;
      Advance(static_cast<double>(e.bytes));
      out.push_back(std::move(e.item));
    }
    if (heap_.empty() && !active_.empty()) {
      // Everything pushed has been served, so the simulated sources are
      // done too: the busy period ends and every source starts afresh.
      virtual_time_ = active_.rbegin()->first;
      active_.clear();
      finish_.clear();
    }
  }

 private:
  struct Entry {
    double finish = 0;
    uint64_t seq = 0;
    size_t bytes = 0;
    T item{};
  };
  // The heap keeps the smallest (finish, seq) at the front.
  static bool Later(const Entry& a, const Entry& b) {
    return std::tie(a.finish, a.seq) > std::tie(b.finish, b.seq);
  }

  // `bytes` were served: V advances as if every active source had been
  // served an equal part, sources leaving the active set as V passes their
  // finish tags (they are then forgotten: they would start at V anyway).
  void Advance(double bytes) {
    while (bytes > 0 && !active_.empty()) {
      const auto first = active_.begin();
      const auto n = static_cast<double>(active_.size());
      const double to_first = (first->first - virtual_time_) * n;
      if (bytes < to_first) {
        virtual_time_ += bytes / n;
        return;
      }
      bytes -= to_first;
      virtual_time_ = first->first;
      finish_.erase(first->second);
      active_.erase(first);
    }
  }

  std::vector<Entry> heap_{};
  // Finish tag of each active source's last item, and the same ordered.
  std::unordered_map<Source, double> finish_{};
  std::set<std::pair<double, Source>> active_{};
  double virtual_time_ = 0;
  uint64_t next_seq_ = 0;
};

}  // namespace attune::relay
