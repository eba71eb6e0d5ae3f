// The usual start of an in-process engine test: a real attune-relay on
// 127.0.0.1, a therapist ("Dr Rivera", whose clinic relay it is) and a client
// ("Sam") created through the engine, and — unless the test is about pairing
// itself — paired the way two people would (local names "sam" and
// "therapist").
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "engine_support.h"

namespace attune::testing {

class TwoEnginesTest : public ::testing::Test {
 protected:
  enum class Start { kPaired, kUnpaired };
  explicit TwoEnginesTest(const std::string& dir_prefix, Start start = Start::kPaired)
      : root_(dir_prefix), start_(start) {}

  void SetUp() override {
    auto relay = RelayUnderTest::Start();
    ASSERT_TRUE(relay.ok()) << relay.error().message;
    relay_ = std::move(relay).value();
    auto therapist = CreateTherapist(root_ / "therapist", *relay_);
    ASSERT_TRUE(therapist.ok()) << therapist.error().message;
    therapist_ = std::move(therapist).value();
    auto client = CreateClient(root_ / "client", "Sam", [this] { return ClientNow(); });
    ASSERT_TRUE(client.ok()) << client.error().message;
    client_ = std::move(client).value();
    if (start_ == Start::kPaired) {
      Status paired = Pair(therapist_, client_, "sam");
      ASSERT_TRUE(paired.ok()) << paired.error().message;
    }
  }

  // One quick SyncOnce; a failure fails the test and reports nothing.
  client::SyncReport Sync(EngineUnderTest& e) {
    auto r = QuickSync(e);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : client::SyncReport{};
  }

  // The client engine's clock: the system's plus client_skew_ seconds
  // (declared first: it outlives the engines that read it).
  uint64_t ClientNow() const { return client::SystemNow() + client_skew_.load(); }
  std::atomic<uint64_t> client_skew_{0};
  TempDir root_;
  std::unique_ptr<RelayUnderTest> relay_{};
  EngineUnderTest therapist_{};
  EngineUnderTest client_{};

 private:
  Start start_ = Start::kPaired;
};

}  // namespace attune::testing
