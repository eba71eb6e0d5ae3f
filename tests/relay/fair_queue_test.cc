// FairQueue (the GroupCommitter's queue): byte-fair across sources, each
// source's items in order, a light source's item ahead of a flood's, and
// batches bounded in items and bytes.
#include "attune/relay/store/fair_queue.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <utility>
#include <vector>

namespace attune::relay {
namespace {

struct Item {
  FairQueue<Item>::Source source = 0;
  int seq = 0;
};

TEST(FairQueueTest, KeepsEachSourcesOrderAndSharesBytesEqually) {
  FairQueue<Item> q;
  for (int i = 0; i < 100; ++i) {
    q.Push(Item{1, i}, 1, 1000);
    q.Push(Item{2, i}, 2, 1000);
  }
  std::map<FairQueue<Item>::Source, int> next;
  while (!q.empty()) {
    std::vector<Item> batch;
    q.TakeBatch(batch, 10, 1 << 20);
    ASSERT_EQ(batch.size(), 10u);
    std::map<FairQueue<Item>::Source, int> in_batch;
    for (const Item& it : batch) {
      EXPECT_EQ(it.seq, next[it.source]++) << "source " << it.source;
      in_batch[it.source]++;
    }
    EXPECT_EQ(in_batch[1], 5);
    EXPECT_EQ(in_batch[2], 5);
  }
}

TEST(FairQueueTest, BatchesAreBoundedInItemsAndBytes) {
  FairQueue<Item> q;
  for (int i = 0; i < 10; ++i) q.Push(Item{1, i}, 1, 100);
  std::vector<Item> batch;
  q.TakeBatch(batch, 3, 1 << 20);
  EXPECT_EQ(batch.size(), 3u);
  batch.clear();
  q.TakeBatch(batch, 100, 250);
  EXPECT_EQ(batch.size(), 2u);
  // An item larger than the byte bound still goes, alone.
  q.Push(Item{2, 0}, 2, 1000);
  batch.clear();
  while (batch.empty() || batch.back().source != 2) q.TakeBatch(batch, 100, 250);
  EXPECT_EQ(batch.back().seq, 0);
}

// The relay's sender flood in miniature: 200 sources of 60 KiB items, each
// with one item queued at a time (the admission bound lets about 32 in), and
// a client at window 1 sending 512-byte items now and then. Its item is in
// the very next batch every time, although the flood's items were there
// first: FIFO order would make it wait behind the ~32 queued (4 batches).
TEST(FairQueueTest, ALightSourceGoesBeforeAFloodOfSingleQueuedItems) {
  constexpr size_t kFloodSources = 200, kAdmitted = 32, kBig = 61696, kSmall = 512;
  FairQueue<Item> q;
  std::deque<FairQueue<Item>::Source> waiting;
  for (FairQueue<Item>::Source s = 1; s <= kFloodSources; ++s) waiting.push_back(s);
  size_t queued = 0;
  int light_sent = 0, light_taken = 0;
  for (int step = 0; step < 5000; ++step) {
    while (queued < kAdmitted && !waiting.empty()) {
      q.Push(Item{waiting.front(), 0}, waiting.front(), kBig);
      waiting.pop_front();
      queued++;
    }
    const bool light_now = step % 7 == 0;
    if (light_now) {
      q.Push(Item{0, light_sent++}, 0, kSmall);
      queued++;
    }
    std::vector<Item> batch;
    q.TakeBatch(batch, 1024, 512 * 1024);
    bool light_in_batch = false;
    for (const Item& it : batch) {
      queued--;
      if (it.source == 0) {
        light_in_batch = true;
        light_taken++;
      } else {
        waiting.push_back(it.source);
      }
    }
    if (light_now) {
      ASSERT_TRUE(light_in_batch) << "step " << step;
    }
  }
  EXPECT_EQ(light_taken, light_sent);
}

}  // namespace
}  // namespace attune::relay
