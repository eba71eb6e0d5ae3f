// Shared by the tools' widget tests: a real attune-relay on 127.0.0.1, a
// therapist engine on it and a client engine (paired or not), each behind
// an EngineRunner as the app has them; screenshots in light and dark.
#pragma once

#include <gtest/gtest.h>

#include <QString>
#include <QWidget>
#include <memory>
#include <optional>
#include <utility>

#include "attune/desktop/engine_runner.h"
#include "engine_support.h"

namespace attune::desktop::tools {

class ToolsTest : public ::testing::Test {
 protected:
  // Starts the relay, creates both profiles; pairs them ("sam" /
  // "therapist") unless `pair` is false. Runners own the engines after.
  void Start(bool pair);
  void TearDown() override;

  // Runs `work(engine)` on the runner's worker and waits for it (tests only:
  // the GUI thread blocks here, which the app never does).
  template <typename Work>
  static auto Call(EngineRunner& runner, Work work) {
    std::optional<decltype(work(std::declval<client::Engine&>()))> out;
    runner.Post([&](client::Engine& engine) { out.emplace(work(engine)); });
    runner.WaitForIdle();
    return std::move(*out);
  }
  // SyncOnce with a short quiet period, on the runner's worker.
  static client::SyncReport Sync(EngineRunner& runner);

  testing::TempDir root_{"attune-desktop-tools"};
  std::unique_ptr<testing::RelayUnderTest> relay_{};
  std::shared_ptr<testing::RecordingObserver> therapist_events_{};
  std::shared_ptr<testing::RecordingObserver> client_events_{};
  std::unique_ptr<EngineRunner> therapist_{};
  std::unique_ptr<EngineRunner> client_{};
};

// Saves `widget` as <build>/screenshots/<name>-light.png and -dark.png
// (the widget is shown, re-polished under each palette, then grabbed).
void SaveScreens(QWidget& widget, const QString& name);

}  // namespace attune::desktop::tools
