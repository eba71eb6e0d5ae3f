// attune_desktop_bench: what the desktop app adds on top of the engine
// (issue 11, "Performance"); numbers for the report, not a pass/fail test.
//
//   unlock   a therapist profile with 200 clients and 20,000 messages: from
//            pressing Enter on the unlock screen to the contact list showing
//            all 200 rows, minus the key derivation alone; then VmRSS once
//            background sync has settled.
//   latency  a second engine (the client) sends; time until the therapist
//            window's conversation model has the row (SendText returns once
//            the relay has stored it, so this is relay delivery + engine
//            processing + the queued hop to the GUI thread). p50/p99 of N.
//   rows     the conversation model and bubble delegate over 5,000 messages:
//            data() for every role the delegate reads, sizeHint() and paint()
//            into an image, per row.
//
// Usage: QT_QPA_PLATFORM=offscreen attune_desktop_bench [unlock|latency|rows|all] [N]
#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QStandardPaths>
#include <QTest>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "attune/client/store/database_key.h"
#include "attune/client/store/profile.h"
#include "attune/crypto/util.h"
#include "attune/desktop/main_window.h"
#include "attune/desktop/message_delegate.h"
#include "desktop_test_support.h"
#include "engine_support.h"

namespace attune::desktop {
namespace {

using Clock = std::chrono::steady_clock;
using attune::testing::RelayUnderTest;
using attune::testing::TempDir;
using testing::SpinUntil;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

long RssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

AppOptions Options(const std::string& dir) {
  AppOptions options;
  options.profile_dir = QString::fromStdString(dir);
  options.strength = client::store::KdfStrength::kTestInteractive;
  return options;
}

int UnlockBench() {
  TempDir root("attune-desktop-bench");
  auto relay = RelayUnderTest::Start();
  if (!relay.ok()) return 1;
  const std::string dir = (root / "therapist").string();
  {
    auto therapist = attune::testing::CreateTherapist(root / "therapist", **relay);
    if (!therapist.ok()) return 1;
  }
  const std::string passphrase = "passphrase of therapist";
  if (!attune::testing::PopulateTherapist(dir, AsBytes(passphrase), 200, 100).ok()) return 1;
  client::store::KeyParams params;
  {
    auto profile = client::store::Profile::Open(dir, AsBytes(passphrase));
    if (!profile.ok()) return 1;
    params = profile->key_params();
  }
  std::vector<double> kdf, populated;
  long rss = 0;
  for (int round = 0; round < 5; ++round) {
    auto k0 = Clock::now();
    auto key = client::store::DeriveDatabaseKey(AsBytes(passphrase), params);
    kdf.push_back(Ms(Clock::now() - k0));
    if (!key.ok()) return 1;
    MainWindow window(Options(dir));
    window.show();
    QLineEdit* field = window.unlock_page()->passphrase();
    field->setText(QString::fromStdString(passphrase));
    auto t0 = Clock::now();
    QTest::keyClick(field, Qt::Key_Return);
    if (!SpinUntil([&] {
          return window.therapist_page() != nullptr &&
                 window.therapist_page()->contacts().rowCount() == 200;
        })) {
      return std::fprintf(stderr, "the inbox did not populate\n"), 1;
    }
    populated.push_back(Ms(Clock::now() - t0));
    if (round == 4) {
      // Steady state: background sync connected and idle for a while.
      SpinUntil([] { return false; }, 3000);
      rss = RssKiB();
    }
  }
  std::printf(
      "unlock: 200 clients, 20,000 messages (median of 5): key derivation alone %.1f ms "
      "(test-strength KDF); Enter -> 200 rows shown %.1f ms; app + engine after the KDF %.1f ms; "
      "VmRSS after unlock, sync idle %.1f MiB\n",
      Percentile(kdf, 0.5), Percentile(populated, 0.5),
      Percentile(populated, 0.5) - Percentile(kdf, 0.5), static_cast<double>(rss) / 1024.0);
  return 0;
}

int LatencyBench(int n) {
  TempDir root("attune-desktop-bench");
  auto relay = RelayUnderTest::Start();
  if (!relay.ok()) return 1;
  auto client = attune::testing::CreateClient(root / "ana", "Ana");
  if (!client.ok()) return 1;
  {
    auto therapist = attune::testing::CreateTherapist(root / "therapist", **relay);
    if (!therapist.ok()) return 1;
    if (!attune::testing::Pair(*therapist, *client, "ana").ok()) return 1;
  }
  MainWindow window(Options((root / "therapist").string()));
  window.show();
  window.unlock_page()->passphrase()->setText("passphrase of therapist");
  QTest::keyClick(window.unlock_page()->passphrase(), Qt::Key_Return);
  if (!SpinUntil([&] {
        return window.therapist_page() != nullptr &&
               window.therapist_page()->contacts().rowCount() == 1;
      })) {
    return 1;
  }
  window.therapist_page()->Select("ana");
  ConversationModel& model = window.therapist_page()->conversation()->model();
  SpinUntil([] { return false; }, 1500);  // background sync subscribed
  std::vector<double> samples;
  for (int i = 0; i < n; ++i) {
    const int before = model.rowCount();
    auto t0 = Clock::now();
    if (!(*client)->SendText("therapist", "latency " + std::to_string(i)).ok()) return 1;
    if (!SpinUntil([&] { return model.rowCount() > before; }, 5000)) return 1;
    samples.push_back(Ms(Clock::now() - t0));
  }
  std::printf(
      "latency: %d messages, client SendText -> row in the therapist's window: p50 %.2f "
      "ms, p99 %.2f ms, max %.2f ms\n",
      n, Percentile(samples, 0.5), Percentile(samples, 0.99),
      *std::max_element(samples.begin(), samples.end()));
  return 0;
}

int RowsBench() {
  TempDir root("attune-desktop-bench");
  auto profile = attune::testing::CreateClient(root / "c", "C");
  if (!profile.ok()) return 1;
  EngineRunner runner(std::move(profile->engine));
  ConversationModel model(runner);
  std::vector<client::HistoryItem> items(5000);
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].message_id = static_cast<int64_t>(i + 1);
    items[i].outgoing = i % 2 == 0;
    items[i].created_at = 1700000000 + static_cast<int64_t>(i) * 60;
    items[i].summary = "A message of ordinary length, number " + std::to_string(i) +
                       ", long enough to wrap once in the bubble at this width.";
    items[i].status = client::HistoryItem::Status::kDelivered;
  }
  model.SetItems(std::move(items));
  MessageDelegate delegate;
  QStyleOptionViewItem option;
  option.font = QApplication::font();
  option.palette = QApplication::palette();
  option.rect = QRect(0, 0, 700, 80);
  QImage image(700, 200, QImage::Format_ARGB32_Premultiplied);
  QPainter painter(&image);
  int64_t sink = 0;
  auto t0 = Clock::now();
  for (int row = 0; row < model.rowCount(); ++row) {
    const QModelIndex index = model.index(row);
    sink += index.data(Qt::DisplayRole).toString().size();
    sink += index.data(ConversationModel::kOutgoingRole).toBool() ? 1 : 0;
    sink += index.data(ConversationModel::kTimeRole).toDateTime().toSecsSinceEpoch() & 1;
    sink += index.data(ConversationModel::kStatusTextRole).toString().size();
  }
  auto t1 = Clock::now();
  for (int row = 0; row < model.rowCount(); ++row) {
    sink += delegate.sizeHint(option, model.index(row)).height();
  }
  auto t2 = Clock::now();
  for (int row = 0; row < model.rowCount(); ++row) {
    option.rect = QRect(0, 0, 700, delegate.sizeHint(option, model.index(row)).height());
    delegate.paint(&painter, option, model.index(row));
  }
  auto t3 = Clock::now();
  const double rows = model.rowCount();
  std::printf(
      "rows: %d messages; per row: data() for the delegate's roles %.2f us, sizeHint "
      "%.2f us, sizeHint+paint %.2f us (sink %lld)\n",
      model.rowCount(), Ms(t1 - t0) * 1000 / rows, Ms(t2 - t1) * 1000 / rows,
      Ms(t3 - t2) * 1000 / rows, static_cast<long long>(sink));
  return 0;
}

}  // namespace
}  // namespace attune::desktop

int main(int argc, char** argv) {
  // Also when CTest lists the tests (gtest discovery runs without the
  // test's environment): never a real display.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QStandardPaths::setTestModeEnabled(true);
  if (!attune::crypto::Init().ok()) return 1;
  const std::string mode = argc > 1 ? argv[1] : "all";
  const int n = argc > 2 ? std::atoi(argv[2]) : 200;
  int rc = 0;
  if (mode == "rows" || mode == "all") rc |= attune::desktop::RowsBench();
  if (mode == "latency" || mode == "all") rc |= attune::desktop::LatencyBench(n);
  if (mode == "unlock" || mode == "all") rc |= attune::desktop::UnlockBench();
  return rc;
}
