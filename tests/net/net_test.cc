#include <gtest/gtest.h>

#include <set>

#include "attune/crypto/util.h"
#include "attune/net/backoff.h"
#include "attune/net/relay_protocol.h"

namespace attune::net {
namespace {

using std::chrono::milliseconds;

TEST(RelayProtocol, CodesMapToErrorsAndRetryability) {
  EXPECT_EQ(RelayCodeToError(RelayCode::kUnauthorized, "").code, ErrorCode::kAuthFailed);
  const Error quota = RelayCodeToError(RelayCode::kQuotaExceeded, "mailbox full");
  EXPECT_EQ(quota.code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(quota.message, "relay: quota exceeded: mailbox full");
  EXPECT_FALSE(IsRetryable(quota));
  EXPECT_TRUE(IsRetryable(RelayCodeToError(RelayCode::kUnavailable, "")));
  EXPECT_TRUE(IsRetryable(RelayCodeToError(RelayCode::kRateLimited, "")));
  EXPECT_FALSE(IsRetryable(RelayCodeToError(RelayCode::kNotFound, "")));
}

TEST(Backoff, GrowsJitteredAndCapped) {
  crypto::DeterministicRandom random("backoff test");
  Backoff backoff({milliseconds(100), milliseconds(1000)}, random);
  const int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (int64_t ceiling : ceilings) {
    const int64_t d = backoff.Next().count();
    EXPECT_GE(d, ceiling / 2);
    EXPECT_LE(d, ceiling);
  }
  backoff.Reset();
  EXPECT_LE(backoff.Next().count(), 100);
  // Many attempts never overflow and stay capped.
  for (int i = 0; i < 200; ++i) EXPECT_LE(backoff.Next().count(), 1000);
}

TEST(Backoff, JitterSpreadsClients) {
  crypto::DeterministicRandom random("jitter");
  std::set<int64_t> seen;
  for (int i = 0; i < 20; ++i) {
    Backoff b({milliseconds(1000), milliseconds(30000)}, random);
    b.Next();
    seen.insert(b.Next().count());  // second attempt: in [1000, 2000]
  }
  EXPECT_GT(seen.size(), 10u) << "clients would reconnect in lock step";
}

}  // namespace
}  // namespace attune::net
