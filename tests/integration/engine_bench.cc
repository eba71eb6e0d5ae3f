// attune_engine_bench: the client engine's numbers (issue 10, "Performance"),
// with a real attune-relay on 127.0.0.1.
//
//   latency   send-to-displayed between two unlocked engines: the client's
//             SendText (encrypt, commit, upload) until the therapist's
//             background sync has stored it and its observer got the
//             MessageReceived event; p50/p99 over N messages (default 1000).
//   inbox     a therapist with 200 clients and 20,000 messages: Engine::Open
//             minus the key derivation, and the Inbox and Contacts queries.
//
// Usage: attune_engine_bench [latency|inbox|all] [N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "attune/client/store/database_key.h"
#include "attune/client/store/profile.h"
#include "attune/client/store/records.h"
#include "attune/crypto/util.h"
#include "attune/e2e/identity.h"
#include "attune/therapy/check_in.h"
#include "attune/therapy/content.h"
#include "engine_support.h"

namespace attune::testing {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

int Latency(int count) {
  TempDir root("attune-engine-bench");
  auto relay = RelayUnderTest::Start();
  if (!relay.ok()) return std::fprintf(stderr, "relay: %s\n", relay.error().message.c_str()), 1;
  auto therapist = CreateTherapist(root / "therapist", **relay);
  auto client = CreateClient(root / "client", "Sam");
  if (!therapist.ok() || !client.ok()) return std::fprintf(stderr, "create failed\n"), 1;
  Status paired = Pair(*therapist, *client, "sam");
  if (!paired.ok()) return std::fprintf(stderr, "pair: %s\n", paired.error().message.c_str()), 1;

  // The observer notes when each numbered message is displayed.
  std::mutex mu;
  std::condition_variable cv;
  int displayed = -1;
  Clock::time_point displayed_at;
  therapist->events->set_hook([&](const client::Event& e) {
    if (const auto* m = std::get_if<client::MessageReceived>(&e)) {
      std::lock_guard lock(mu);
      displayed = std::stoi(m->summary.substr(4));
      displayed_at = Clock::now();
      cv.notify_all();
    }
  });
  client::BackgroundSyncOptions options;
  if (!(*therapist)->StartBackgroundSync(options).ok()) return 1;
  // Warm up: the first message also waits for the subscription.
  std::vector<double> samples;
  for (int i = -10; i < count; ++i) {
    const auto start = Clock::now();
    auto sent = (*client)->SendText("therapist", "msg " + std::to_string(i));
    if (!sent.ok() || !sent->uploaded) {
      return std::fprintf(stderr, "send failed\n"), 1;
    }
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return displayed == i; })) {
      return std::fprintf(stderr, "message %d never displayed\n", i), 1;
    }
    if (i >= 0) samples.push_back(Ms(displayed_at - start));
  }
  (*therapist)->StopBackgroundSync();
  std::printf("send-to-displayed over %d messages: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", count,
              Percentile(samples, 0.50), Percentile(samples, 0.99),
              *std::max_element(samples.begin(), samples.end()));
  return 0;
}

int InboxBench(int clients, int per_client) {
  TempDir root("attune-engine-bench");
  auto relay = RelayUnderTest::Start();
  if (!relay.ok()) return 1;
  const std::string dir = (root / "therapist").string();
  {
    auto therapist = CreateTherapist(root / "therapist", **relay);
    if (!therapist.ok()) return 1;
  }
  const std::string passphrase = "passphrase of therapist";
  Status filled = PopulateTherapist(dir, AsBytes(passphrase), clients, per_client);
  if (!filled.ok())
    return std::fprintf(stderr, "populate: %s\n", filled.error().message.c_str()), 1;

  // The key derivation alone, with this profile's own parameters.
  client::store::KeyParams params;
  {
    auto profile = client::store::Profile::Open(dir, AsBytes(passphrase));
    if (!profile.ok()) return 1;
    params = profile->key_params();
  }
  std::vector<double> kdf, open, inbox, contacts, unlock_to_inbox;
  for (int round = 0; round < 5; ++round) {
    auto t0 = Clock::now();
    auto key = client::store::DeriveDatabaseKey(AsBytes(passphrase), params);
    auto t1 = Clock::now();
    if (!key.ok()) return 1;
    auto engine = client::Engine::Open(dir, AsBytes(passphrase));
    auto t2 = Clock::now();
    if (!engine.ok()) return std::fprintf(stderr, "open: %s\n", engine.error().message.c_str()), 1;
    auto items = (*engine)->Inbox(200, false);
    auto t3 = Clock::now();
    auto list = (*engine)->Contacts();
    auto t4 = Clock::now();
    if (!items.ok() || !list.ok() || list->size() != static_cast<size_t>(clients)) return 1;
    if (round == 0) {
      size_t urgent = 0;
      for (const auto& i : *items) urgent += i.urgent ? 1 : 0;
      std::printf("inbox: %zu items listed, %zu urgent first; %zu contacts\n", items->size(),
                  urgent, list->size());
    }
    kdf.push_back(Ms(t1 - t0));
    open.push_back(Ms(t2 - t1) - Ms(t1 - t0));
    inbox.push_back(Ms(t3 - t2));
    contacts.push_back(Ms(t4 - t3));
    unlock_to_inbox.push_back(Ms(t3 - t1) - Ms(t1 - t0));
  }
  std::printf(
      "%d clients, %d messages (median of 5): key derivation %.1f ms (test-strength KDF); after "
      "it: open %.1f ms, Inbox %.1f ms, Contacts %.1f ms; unlock-to-inbox minus KDF %.1f ms\n",
      clients, clients * per_client, Percentile(kdf, 0.5), Percentile(open, 0.5),
      Percentile(inbox, 0.5), Percentile(contacts, 0.5), Percentile(unlock_to_inbox, 0.5));
  return 0;
}

}  // namespace
}  // namespace attune::testing

int main(int argc, char** argv) {
  if (!attune::crypto::Init().ok()) return 1;
  const std::string mode = argc > 1 ? argv[1] : "all";
  const int count = argc > 2 ? std::atoi(argv[2]) : 1000;
  int rc = 0;
  if (mode == "latency" || mode == "all") rc |= attune::testing::Latency(count);
  if (mode == "inbox" || mode == "all") rc |= attune::testing::InboxBench(200, 100);
  return rc;
}
