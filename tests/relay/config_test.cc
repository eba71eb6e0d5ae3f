// The token bucket and the configuration file.
#include "attune/relay/server/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "attune/relay/core/limits.h"
#include "attune/relay/core/token_bucket.h"

namespace attune::relay {
namespace {

TEST(TokenBucketTest, BurstThenRefillAtRate) {
  constexpr uint64_t kSec = 1'000'000'000;
  TokenBucket b(3, 0);
  EXPECT_TRUE(b.TryTake(10, 3, 0));
  EXPECT_TRUE(b.TryTake(10, 3, 0));
  EXPECT_TRUE(b.TryTake(10, 3, 0));
  EXPECT_FALSE(b.TryTake(10, 3, 0));
  EXPECT_FALSE(b.TryTake(10, 3, kSec / 20));  // half a token
  EXPECT_TRUE(b.TryTake(10, 3, kSec / 10));   // one token after 100 ms
  EXPECT_FALSE(b.TryTake(10, 3, kSec / 10));
  // Refill caps at the burst.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.TryTake(10, 3, 100 * kSec));
  EXPECT_FALSE(b.TryTake(10, 3, 100 * kSec));
  // A clock going backwards refills nothing.
  EXPECT_FALSE(b.TryTake(10, 3, 50 * kSec));
}

TEST(ConfigTest, DefaultsAndOverrides) {
  auto c = ParseConfig(R"(
[listen]
address = "127.0.0.1"
port = 0
[storage]
data_dir = "/tmp/x"
[mailbox]
message_ttl_seconds = 60
[limits]
max_connections = 5
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->port, 0);
  EXPECT_EQ(c->listen_address, "127.0.0.1");
  EXPECT_EQ(c->mailbox.message_ttl_seconds, 60u);
  EXPECT_EQ(c->limits.max_connections, 5u);
  EXPECT_EQ(c->mailbox.max_blob_size, kMaxBlobSize);
  EXPECT_EQ(c->limits.idle_timeout_seconds, 300u);
  EXPECT_EQ(c->log_level, LogLevel::kInfo);
}

TEST(ConfigTest, ErrorsNameTheProblem) {
  auto missing = ParseConfig("[listen]\nport = 1\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("data_dir"), std::string::npos);
  auto typo = ParseConfig("[storage]\ndata_dir = \"/x\"\nmax_conections = 3\n");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("storage.max_conections"), std::string::npos);
  auto range = ParseConfig("[storage]\ndata_dir = \"/x\"\n[mailbox]\nmax_blob_size = 70000\n");
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.error().message.find("mailbox.max_blob_size"), std::string::npos);
  auto frame = ParseConfig("[storage]\ndata_dir = \"/x\"\n[limits]\nmax_frame_size = 4096\n");
  ASSERT_FALSE(frame.ok());
  EXPECT_NE(frame.error().message.find("max_frame_size"), std::string::npos);
  EXPECT_TRUE(ParseConfig("[storage]\ndata_dir = \"/x\"\n[limits]\nmax_frame_size = 4096\n"
                          "[mailbox]\nmax_blob_size = 3968\n")
                  .ok());
  auto syntax = ParseConfig("[storage\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.error().message.find("line 1"), std::string::npos);
  auto type = ParseConfig("[storage]\ndata_dir = 3\n");
  EXPECT_FALSE(type.ok());
  auto addr = ParseConfig("[storage]\ndata_dir = \"/x\"\n[listen]\naddress = \"example.com\"\n");
  EXPECT_FALSE(addr.ok());
}

TEST(ConfigTest, TheExampleDeployConfigParses) {
  std::FILE* f = std::fopen(ATTUNE_RELAY_EXAMPLE_CONFIG, "rb");
  ASSERT_NE(f, nullptr) << "missing " << ATTUNE_RELAY_EXAMPLE_CONFIG;
  std::string text;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  auto c = ParseConfig(text);
  ASSERT_TRUE(c.ok()) << c.error().message;
  // The example documents the defaults: they must match the code.
  ServerConfig defaults;
  EXPECT_EQ(c->port, defaults.port);
  EXPECT_EQ(c->mailbox.message_ttl_seconds, defaults.mailbox.message_ttl_seconds);
  EXPECT_EQ(c->mailbox.max_bytes_per_mailbox, defaults.mailbox.max_bytes_per_mailbox);
  EXPECT_EQ(c->limits.max_write_queue_bytes, defaults.limits.max_write_queue_bytes);
  EXPECT_EQ(c->limits.requests_per_second, defaults.limits.requests_per_second);
  EXPECT_EQ(c->limits.delivery_window, defaults.limits.delivery_window);
}

}  // namespace
}  // namespace attune::relay
