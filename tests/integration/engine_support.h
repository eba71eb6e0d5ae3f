// Helpers for in-process tests and benchmarks of the client engine against a
// real attune-relay on 127.0.0.1: profiles created through the engine, a
// pairing done the way two people would, and an observer that records
// events and lets a test wait for one (bounded, never a fixed sleep).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "attune/client/engine.h"
#include "attune/testing/temp_dir.h"
#include "relay_under_test.h"

namespace attune::testing {

class RecordingObserver : public client::EngineObserver {
 public:
  void OnEvent(const client::Event& event) override {
    std::lock_guard lock(mu_);
    events_.push_back(event);
    if (hook_) hook_(event);
    cv_.notify_all();
  }

  // Waits until some recorded event satisfies pred (or the timeout passes).
  template <typename T>
  std::optional<T> WaitFor(std::function<bool(const T&)> pred, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    std::optional<T> found{};
    cv_.wait_for(lock, timeout, [&] {
      for (const client::Event& e : events_) {
        if (const T* t = std::get_if<T>(&e); t != nullptr && pred(*t)) {
          found = *t;
          return true;
        }
      }
      return false;
    });
    return found;
  }

  template <typename T>
  std::vector<T> All() {
    std::lock_guard lock(mu_);
    std::vector<T> out{};
    for (const client::Event& e : events_) {
      if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
    }
    return out;
  }

  void Clear() {
    std::lock_guard lock(mu_);
    events_.clear();
  }

  // Called under the observer's lock for every event (benchmarks).
  void set_hook(std::function<void(const client::Event&)> hook) {
    std::lock_guard lock(mu_);
    hook_ = std::move(hook);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<client::Event> events_{};
  std::function<void(const client::Event&)> hook_;
};

struct EngineUnderTest {
  std::unique_ptr<client::Engine> engine{};
  std::shared_ptr<RecordingObserver> events = std::make_shared<RecordingObserver>();
  client::Engine* operator->() { return engine.get(); }
};

// A therapist profile whose clinic relay is `relay`.
Result<EngineUnderTest> CreateTherapist(const std::filesystem::path& dir,
                                        const RelayUnderTest& relay,
                                        const std::string& name = "Dr Rivera");
// `now` is the client engine's clock (tests move it forward; default the system's).
Result<EngineUnderTest> CreateClient(const std::filesystem::path& dir, const std::string& name,
                                     client::Clock now = client::SystemNow);

// Therapist invites (local name `client_name`), client accepts (local name
// "therapist"), therapist syncs the hello. Errors: any step's.
Status Pair(EngineUnderTest& therapist, EngineUnderTest& client, const std::string& client_name);

// Fills a therapist profile directly through the store (pairing 200 real
// clients through the relay would measure pairing, not the inbox): `clients`
// contacts ("client0".."clientN-1"), `per_client` messages each (half
// received), every 50th received one an urgent check-in, the last 400
// received ones unread. The profile must not be open elsewhere.
Status PopulateTherapist(const std::string& dir, ByteView passphrase, int clients, int per_client);

// SyncOnce with a short quiet period.
Result<client::SyncReport> QuickSync(EngineUnderTest& e);

}  // namespace attune::testing
