#include "tools_test_support.h"

#include <QApplication>
#include <QDir>
#include <QPalette>
#include <QStyle>
#include <QTest>

namespace attune::desktop::tools {
namespace {

QPalette DarkPalette() {
  QPalette p;
  const QColor window(45, 45, 48);
  const QColor base(30, 30, 32);
  const QColor text(230, 230, 230);
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, window);
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, window);
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::ToolTipBase, base);
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::PlaceholderText, QColor(150, 150, 150));
  p.setColor(QPalette::Highlight, QColor(60, 110, 180));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Disabled, QPalette::Text, QColor(120, 120, 120));
  p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(120, 120, 120));
  p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(120, 120, 120));
  return p;
}

void SaveOne(QWidget& widget, const QPalette& palette, const QString& path) {
  QApplication::setPalette(palette);  // reaches every widget (ApplicationPaletteChange)
  widget.show();
  if (!widget.testAttribute(Qt::WA_Resized)) widget.adjustSize();  // else the test's size
  // Charts lay out in posted events, some posted by the previous round.
  for (int i = 0; i < 3; ++i) QApplication::processEvents();
  EXPECT_TRUE(widget.grab().save(path)) << path.toStdString();
}

}  // namespace

void ToolsTest::Start(bool pair) {
  auto relay = testing::RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().message;
  relay_ = std::move(relay).value();
  auto therapist = testing::CreateTherapist(root_ / "therapist", *relay_);
  ASSERT_TRUE(therapist.ok()) << therapist.error().message;
  auto client = testing::CreateClient(root_ / "client", "Sam");
  ASSERT_TRUE(client.ok()) << client.error().message;
  if (pair) {
    Status paired = testing::Pair(*therapist, *client, "sam");
    ASSERT_TRUE(paired.ok()) << paired.error().message;
  }
  therapist_events_ = therapist->events;
  client_events_ = client->events;
  therapist_ = std::make_unique<EngineRunner>(std::move(therapist->engine));
  client_ = std::make_unique<EngineRunner>(std::move(client->engine));
}

void ToolsTest::TearDown() {
  therapist_.reset();
  client_.reset();
  QApplication::setPalette(QApplication::style()->standardPalette());
}

client::SyncReport ToolsTest::Sync(EngineRunner& runner) {
  auto report = Call(runner, [](client::Engine& engine) {
    client::SyncOptions options;
    options.quiet = std::chrono::milliseconds(300);
    return engine.SyncOnce(options);
  });
  EXPECT_TRUE(report.ok()) << report.error().message;
  return report.ok() ? *report : client::SyncReport{};
}

void SaveScreens(QWidget& widget, const QString& name) {
  const QString dir = QStringLiteral(ATTUNE_SCREENSHOT_DIR);
  QDir().mkpath(dir);
  const QPalette light = QApplication::style()->standardPalette();
  SaveOne(widget, light, dir + u'/' + name + QStringLiteral("-light.png"));
  SaveOne(widget, DarkPalette(), dir + u'/' + name + QStringLiteral("-dark.png"));
  QApplication::setPalette(light);
}

}  // namespace attune::desktop::tools

int main(int argc, char** argv) {
  // CTest sets offscreen; test discovery at build time (gtest_discover_tests
  // runs --gtest_list_tests) does not, and no test needs a real display.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
