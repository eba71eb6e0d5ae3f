// EngineRunner: work runs off the calling thread, in order; results come back
// on the runner's thread; a dropped context drops its result; destroying the
// runner destroys the engine.
#include "attune/desktop/engine_runner.h"

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <filesystem>
#include <string>
#include <vector>

namespace attune::desktop {
namespace {

std::filesystem::path FreshDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("attune-runner-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

std::unique_ptr<client::Engine> MakeClientEngine(const std::filesystem::path& dir) {
  const std::string pass = "correct horse battery staple";
  auto engine = client::Engine::Create(
      dir.string(), ByteView(reinterpret_cast<const uint8_t*>(pass.data()), pass.size()),
      client::store::KdfStrength::kTestInteractive,
      client::AccountInfo{client::Role::kClient, "Sam"}, std::nullopt);
  EXPECT_TRUE(engine.ok()) << (engine.ok() ? "" : engine.error().ToString());
  return std::move(engine).value();
}

// Processes queued calls until `done` or a bound on iterations.
template <typename Pred>
bool SpinUntil(Pred done) {
  QElapsedTimer timer;
  timer.start();
  while (!done() && timer.elapsed() < 10000) {
    QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
  }
  return done();
}

TEST(EngineRunner, RunsWorkOffTheGuiThreadInOrderAndAnswersOnIt) {
  auto dir = FreshDir("order");
  EngineRunner runner(MakeClientEngine(dir));
  EXPECT_EQ(runner.account().display_name, "Sam");

  QObject context;
  std::vector<int> order;
  std::vector<bool> on_gui_thread;
  for (int i = 0; i < 5; ++i) {
    runner.Run(
        &context,
        [i](client::Engine& engine) {
          EXPECT_NE(QThread::currentThread(), QCoreApplication::instance()->thread());
          auto contacts = engine.Contacts();
          EXPECT_TRUE(contacts.ok());
          return i;
        },
        [&](int value) {
          order.push_back(value);
          on_gui_thread.push_back(QThread::currentThread() ==
                                  QCoreApplication::instance()->thread());
        });
  }
  ASSERT_TRUE(SpinUntil([&] { return order.size() == 5; }));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(on_gui_thread, std::vector<bool>(5, true));
  std::filesystem::remove_all(dir);
}

TEST(EngineRunner, DropsTheResultOfADestroyedContext) {
  auto dir = FreshDir("context");
  EngineRunner runner(MakeClientEngine(dir));
  bool called = false;
  {
    QObject context;
    runner.Run(
        &context, [](client::Engine&) { return 1; }, [&](int) { called = true; });
    runner.WaitForIdle();
  }  // destroyed before the queued answer is processed
  QCoreApplication::processEvents();
  QCoreApplication::processEvents();
  EXPECT_FALSE(called);
  std::filesystem::remove_all(dir);
}

TEST(EngineRunner, DestroyingTheRunnerClosesTheProfile) {
  auto dir = FreshDir("close");
  {
    EngineRunner runner(MakeClientEngine(dir));
    runner.Post([](client::Engine& engine) { EXPECT_TRUE(engine.Contacts().ok()); });
  }
  // The engine is gone: the profile opens again with its passphrase, and a
  // wrong one is refused — nothing was left half-open.
  const std::string pass = "correct horse battery staple";
  auto again = client::Engine::Open(
      dir.string(), ByteView(reinterpret_cast<const uint8_t*>(pass.data()), pass.size()));
  EXPECT_TRUE(again.ok()) << (again.ok() ? "" : again.error().ToString());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace attune::desktop

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
