// attune_desktop_bench: what the desktop app adds on top of the engine
// (issue 11, "Performance"), Google Benchmark style, offscreen, with a real
// attune-relay on 127.0.0.1. Wall-clock figures: quote `uptime` next to them;
// the cpu counters are the process's CPU time (getrusage), which load
// inflates far less.
//
//   BM_UnlockToInbox      a therapist profile with 200 clients and 20,000
//                         messages: from Enter on the unlock screen until the
//                         window has painted the 200 contact rows. Counters:
//                         the key derivation alone (same parameters, same
//                         thread kind), and the rest: after_kdf_ms (wall) and
//                         after_kdf_cpu_ms (CPU of every thread of the app).
//   BM_ReceiveToRow       a second engine (the client, on its own thread)
//                         sends; time until the therapist window's
//                         conversation model has the row. from_ack: from the
//                         moment the relay acknowledged the send to the client
//                         (it pushes to the therapist at the same moment, so
//                         this is "after the relay delivers"); from_send: from
//                         the start of SendText; gui_hop: from the therapist
//                         engine's MessageReceived event to the row.
//   BM_OpenConversation5000  choosing a client with 5,000 messages until the
//                         view has painted them (wall and CPU).
//   BM_ConversationRow*   the conversation model and bubble delegate over a
//                         5,000-message conversation, per row: data() for the
//                         roles the delegate reads, sizeHint() the first time
//                         and again (what a relayout asks), paint().
//   BM_ConversationScroll a real 5,000-row conversation view scrolled by one
//                         page and repainted: the cost of one frame.
//
// Usage: QT_QPA_PLATFORM=offscreen attune_desktop_bench [--benchmark_filter=...]
//        ATTUNE_BENCH_MESSAGES (default 200): messages BM_ReceiveToRow sends.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
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

constexpr const char* kPassphrase = "passphrase of therapist";

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

// CPU time of every thread of this process, in ms.
double ProcessCpuMs() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
  };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
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

// Therapist with 200 clients and 20,000 messages, made once per process.
struct InboxProfile {
  TempDir root{"attune-desktop-bench"};
  std::unique_ptr<RelayUnderTest> relay{};
  std::string dir{};
  client::store::KeyParams params{};
  bool ok = false;
};

void MakeInboxProfile(InboxProfile& made, int clients, int per_client) {
  auto relay = RelayUnderTest::Start();
  if (!relay.ok()) return;
  made.relay = std::move(relay).value();
  made.dir = (made.root / "therapist").string();
  {
    auto therapist = attune::testing::CreateTherapist(made.root / "therapist", *made.relay);
    if (!therapist.ok()) return;
  }
  if (!attune::testing::PopulateTherapist(made.dir, AsBytes(kPassphrase), clients, per_client)
           .ok()) {
    return;
  }
  auto profile = client::store::Profile::Open(made.dir, AsBytes(kPassphrase));
  if (!profile.ok()) return;
  made.params = profile->key_params();
  made.ok = true;
}

// Made once per slot, on first use; main() resets the slots before exit.
InboxProfile& SharedProfile(std::unique_ptr<InboxProfile>& slot, int clients, int messages) {
  if (slot == nullptr) {
    slot = std::make_unique<InboxProfile>();
    MakeInboxProfile(*slot, clients, messages);
  }
  return *slot;
}

std::unique_ptr<InboxProfile>& InboxProfileSlot() {
  static std::unique_ptr<InboxProfile> p;
  return p;
}

std::unique_ptr<InboxProfile>& LongConversationSlot() {
  static std::unique_ptr<InboxProfile> p;
  return p;
}

// 200 clients, 100 messages each.
InboxProfile& SharedInboxProfile() { return SharedProfile(InboxProfileSlot(), 200, 100); }

// One client ("client0") and 5,000 messages with them.
InboxProfile& SharedLongConversation() { return SharedProfile(LongConversationSlot(), 1, 5000); }

void BM_UnlockToInbox(benchmark::State& state) {
  InboxProfile& p = SharedInboxProfile();
  if (!p.ok) return state.SkipWithError("could not make the profile");
  {
    // The first unlock indexes the history once; not what later unlocks pay.
    auto engine = client::Engine::Open(p.dir, AsBytes(kPassphrase));
    if (!engine.ok() || !(*engine)->Contacts().ok()) return state.SkipWithError("open failed");
  }
  std::vector<double> kdf, kdf_cpu, shown, cpu;
  int round = 0;
  for (auto _ : state) {
    // The KDF alone, on a fresh thread like the app's opener.
    double kdf_ms = 0, kdf_cpu_ms = 0;
    std::thread([&] {
      const double c0 = ThreadCpuMs();
      const auto k0 = Clock::now();
      auto key = client::store::DeriveDatabaseKey(AsBytes(kPassphrase), p.params);
      kdf_ms = Ms(Clock::now() - k0);
      kdf_cpu_ms = ThreadCpuMs() - c0;
      benchmark::DoNotOptimize(key);
    }).join();
    kdf.push_back(kdf_ms);
    kdf_cpu.push_back(kdf_cpu_ms);

    MainWindow window(Options(p.dir));
    window.show();
    QLineEdit* field = window.unlock_page()->passphrase();
    field->setText(kPassphrase);
    QCoreApplication::processEvents();
    const double c0 = ProcessCpuMs();
    const auto t0 = Clock::now();
    QTest::keyClick(field, Qt::Key_Return);
    if (!SpinUntil([&] {
          return window.therapist_page() != nullptr &&
                 window.therapist_page()->contacts().rowCount() == 200;
        })) {
      return state.SkipWithError("the inbox did not populate");
    }
    window.repaint();  // on screen, not only in the model
    const auto t1 = Clock::now();
    cpu.push_back(ProcessCpuMs() - c0);
    shown.push_back(Ms(t1 - t0));
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    if (++round == static_cast<int>(state.max_iterations)) {
      SpinUntil([] { return false; }, 3000);  // background sync connected and idle
      state.counters["rss_mib"] = static_cast<double>(RssKiB()) / 1024.0;
    }
  }
  state.counters["kdf_ms"] = Percentile(kdf, 0.5);
  state.counters["kdf_cpu_ms"] = Percentile(kdf_cpu, 0.5);
  state.counters["shown_ms"] = Percentile(shown, 0.5);
  state.counters["after_kdf_ms"] = Percentile(shown, 0.5) - Percentile(kdf, 0.5);
  state.counters["after_kdf_cpu_ms"] = Percentile(cpu, 0.5) - Percentile(kdf_cpu, 0.5);
}
BENCHMARK(BM_UnlockToInbox)->Iterations(7)->UseManualTime()->Unit(benchmark::kMillisecond);

int MessagesPerRun() {
  const char* env = std::getenv("ATTUNE_BENCH_MESSAGES");
  const int n = env != nullptr ? std::atoi(env) : 0;
  return n > 0 ? n : 200;
}

// Notes when the therapist's engine reported each message (engine thread).
class ReceivedAt : public client::EngineObserver {
 public:
  void OnEvent(const client::Event& event) override {
    if (!std::holds_alternative<client::MessageReceived>(event)) return;
    std::lock_guard lock(mu_);
    at_ = Clock::now();
  }
  Clock::time_point at() {
    std::lock_guard lock(mu_);
    return at_;
  }

 private:
  std::mutex mu_;
  Clock::time_point at_{};
};

void BM_ReceiveToRow(benchmark::State& state) {
  TempDir root("attune-desktop-bench");
  auto relay = RelayUnderTest::Start();
  if (!relay.ok()) return state.SkipWithError("relay did not start");
  auto client = attune::testing::CreateClient(root / "ana", "Ana");
  if (!client.ok()) return state.SkipWithError("create failed");
  {
    auto therapist = attune::testing::CreateTherapist(root / "therapist", **relay);
    if (!therapist.ok()) return state.SkipWithError("create failed");
    if (!attune::testing::Pair(*therapist, *client, "ana").ok()) {
      return state.SkipWithError("pairing failed");
    }
  }
  MainWindow window(Options((root / "therapist").string()));
  window.show();
  window.unlock_page()->passphrase()->setText(kPassphrase);
  QTest::keyClick(window.unlock_page()->passphrase(), Qt::Key_Return);
  if (!SpinUntil([&] {
        return window.therapist_page() != nullptr &&
               window.therapist_page()->contacts().rowCount() == 1;
      })) {
    return state.SkipWithError("the inbox did not populate");
  }
  auto received = std::make_shared<ReceivedAt>();
  window.runner()->Post([received](client::Engine& e) { e.Subscribe(received); });
  window.therapist_page()->Select("ana");
  ConversationModel& model = window.therapist_page()->conversation()->model();
  SpinUntil([] { return false; }, 1500);  // background sync subscribed
  const int n = MessagesPerRun();
  std::vector<double> from_send, from_ack, hop;
  for (auto _ : state) {
    for (int i = 0; i < n; ++i) {
      const int before = model.rowCount();
      // The sender runs on its own thread, as another device would: the
      // therapist's GUI thread stays free to show the row when it comes.
      std::atomic<bool> acked{false};
      Clock::time_point t0{}, t_ack{};
      bool sent = false;
      t0 = Clock::now();
      std::thread sender([&] {
        sent = (*client)->SendText("therapist", "latency " + std::to_string(i)).ok();
        t_ack = Clock::now();
        acked = true;
      });
      const bool shown = SpinUntil([&] { return model.rowCount() > before; }, 5000);
      const auto t_row = Clock::now();
      sender.join();
      if (!sent || !shown) return state.SkipWithError("the message did not arrive");
      from_send.push_back(Ms(t_row - t0));
      from_ack.push_back(Ms(t_row - t_ack));
      hop.push_back(Ms(t_row - received->at()));
    }
  }
  state.counters["from_ack_p50_ms"] = Percentile(from_ack, 0.5);
  state.counters["from_ack_p99_ms"] = Percentile(from_ack, 0.99);
  state.counters["from_send_p50_ms"] = Percentile(from_send, 0.5);
  state.counters["from_send_p99_ms"] = Percentile(from_send, 0.99);
  state.counters["gui_hop_p50_ms"] = Percentile(hop, 0.5);
  state.counters["gui_hop_p99_ms"] = Percentile(hop, 0.99);
  state.counters["messages"] = static_cast<double>(from_send.size());
}
BENCHMARK(BM_ReceiveToRow)->Iterations(1)->Unit(benchmark::kMillisecond);

// Choosing a client whose conversation has 5,000 messages: from the click
// until the conversation view has painted its newest rows (engine query,
// model, layout of what was loaded, paint). Counter: rows loaded.
void BM_OpenConversation5000(benchmark::State& state) {
  InboxProfile& p = SharedLongConversation();
  if (!p.ok) return state.SkipWithError("could not make the profile");
  MainWindow window(Options(p.dir));
  window.show();
  window.unlock_page()->passphrase()->setText(kPassphrase);
  QTest::keyClick(window.unlock_page()->passphrase(), Qt::Key_Return);
  if (!SpinUntil([&] {
        return window.therapist_page() != nullptr &&
               window.therapist_page()->contacts().rowCount() == 1;
      })) {
    return state.SkipWithError("the inbox did not populate");
  }
  TherapistPage& page = *window.therapist_page();
  ConversationModel& model = page.conversation()->model();
  QListView* list = page.conversation()->list();
  SpinUntil([] { return false; }, 1000);  // the page check and sync start have run
  std::vector<double> cpu;
  for (auto _ : state) {
    page.contact_list()->clearSelection();
    page.contact_list()->setCurrentIndex({});
    SpinUntil([&] { return model.rowCount() == 0; });
    QSignalSpy loaded(&model, &ConversationModel::loaded);
    const double c0 = ProcessCpuMs();
    const auto t0 = Clock::now();
    page.Select("client0");
    if (!SpinUntil([&] { return loaded.count() > 0; })) {
      return state.SkipWithError("the conversation did not load");
    }
    list->doItemsLayout();
    list->viewport()->repaint();
    const auto t1 = Clock::now();
    cpu.push_back(ProcessCpuMs() - c0);
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
  }
  state.counters["rows_loaded"] = model.rowCount();
  state.counters["cpu_ms"] = Percentile(cpu, 0.5);
}
BENCHMARK(BM_OpenConversation5000)->Iterations(5)->UseManualTime()->Unit(benchmark::kMillisecond);

// A client profile's runner (the models need one) and a 5,000-row model.
struct Conversation {
  TempDir root{"attune-desktop-bench"};
  std::unique_ptr<EngineRunner> runner{};
  std::unique_ptr<ConversationModel> model{};
};

void MakeConversation(Conversation& made) {
  auto profile = attune::testing::CreateClient(made.root / "c", "C");
  if (!profile.ok()) return;
  made.runner = std::make_unique<EngineRunner>(std::move(profile->engine));
  made.model = std::make_unique<ConversationModel>(*made.runner);
  std::vector<client::HistoryItem> items(5000);
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].message_id = static_cast<int64_t>(i + 1);
    items[i].outgoing = i % 2 == 0;
    items[i].created_at = 1700000000 + static_cast<int64_t>(i) * 60;
    items[i].summary = "A message of ordinary length, number " + std::to_string(i) +
                       ", long enough to wrap once in the bubble at this width.";
    items[i].status = client::HistoryItem::Status::kDelivered;
  }
  made.model->SetItems(std::move(items));
}

std::unique_ptr<Conversation>& ConversationSlot() {
  static std::unique_ptr<Conversation> c;
  return c;
}

Conversation& SharedConversation() {
  auto& c = ConversationSlot();
  if (c == nullptr) {
    c = std::make_unique<Conversation>();
    MakeConversation(*c);
  }
  return *c;
}

QStyleOptionViewItem RowOption() {
  QStyleOptionViewItem option;
  option.font = QApplication::font();
  option.palette = QApplication::palette();
  option.rect = QRect(0, 0, 700, 80);
  return option;
}

void BM_ConversationRowData(benchmark::State& state) {
  ConversationModel& model = *SharedConversation().model;
  int row = 0;
  for (auto _ : state) {
    const QModelIndex index = model.index(row);
    benchmark::DoNotOptimize(index.data(Qt::DisplayRole));
    benchmark::DoNotOptimize(index.data(ConversationModel::kOutgoingRole));
    benchmark::DoNotOptimize(index.data(ConversationModel::kMetaTextRole));
    row = (row + 1) % model.rowCount();
  }
}
BENCHMARK(BM_ConversationRowData);

// Each row's first sizeHint (a fresh delegate every 5,000 rows): what the
// first layout of a newly opened conversation costs per row.
void BM_ConversationRowSizeHintFirst(benchmark::State& state) {
  ConversationModel& model = *SharedConversation().model;
  const QStyleOptionViewItem option = RowOption();
  auto delegate = std::make_unique<MessageDelegate>();
  int row = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(delegate->sizeHint(option, model.index(row)));
    if (++row == model.rowCount()) {
      state.PauseTiming();
      delegate = std::make_unique<MessageDelegate>();
      row = 0;
      state.ResumeTiming();
    }
  }
}
BENCHMARK(BM_ConversationRowSizeHintFirst);

// sizeHint of rows already laid out once: what every relayout and scroll asks.
void BM_ConversationRowSizeHintAgain(benchmark::State& state) {
  ConversationModel& model = *SharedConversation().model;
  const QStyleOptionViewItem option = RowOption();
  MessageDelegate delegate;
  for (int row = 0; row < model.rowCount(); ++row) {
    (void)delegate.sizeHint(option, model.index(row));
  }
  int row = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(delegate.sizeHint(option, model.index(row)));
    row = (row + 1) % model.rowCount();
  }
}
BENCHMARK(BM_ConversationRowSizeHintAgain);

// Paints rows 0, 1, ... cycling after `rows` rows.
void PaintRowsCycling(benchmark::State& state, int rows) {
  ConversationModel& model = *SharedConversation().model;
  QStyleOptionViewItem option = RowOption();
  MessageDelegate delegate;
  QImage image(700, 200, QImage::Format_ARGB32_Premultiplied);
  QPainter painter(&image);
  int row = 0;
  for (auto _ : state) {
    const QModelIndex index = model.index(row);
    option.rect = QRect(0, 0, 700, delegate.sizeHint(option, index).height());
    delegate.paint(&painter, option, index);
    row = (row + 1) % rows;
  }
}

// Every row of the conversation in turn.
void BM_ConversationRowPaint(benchmark::State& state) {
  PaintRowsCycling(state, SharedConversation().model->rowCount());
}
BENCHMARK(BM_ConversationRowPaint);

// The same rows painted again (a screenful of 12): what every repaint of
// the visible rows costs — a new message, focus, a scroll by a few pixels.
void BM_ConversationRowRepaint(benchmark::State& state) {
  constexpr int kScreenRows = 12;
  PaintRowsCycling(state, kScreenRows);
}
BENCHMARK(BM_ConversationRowRepaint);

// One frame of scrolling: the view moves one page and repaints what shows.
void BM_ConversationScroll(benchmark::State& state) {
  ConversationModel& model = *SharedConversation().model;
  QListView view;
  view.setItemDelegate(new MessageDelegate(&view));
  view.setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
  view.setUniformItemSizes(false);
  view.setWordWrap(true);
  view.resize(700, 600);
  view.show();
  QCoreApplication::processEvents();
  // Opening the conversation: every row laid out once, the last page shown.
  const auto l0 = Clock::now();
  view.setModel(&model);
  view.doItemsLayout();
  view.scrollToBottom();
  view.viewport()->repaint();
  state.counters["first_layout_ms"] = Ms(Clock::now() - l0);
  QScrollBar* bar = view.verticalScrollBar();
  int value = bar->maximum();
  for (auto _ : state) {
    value -= bar->pageStep();
    if (value < 0) value = bar->maximum();
    bar->setValue(value);
    view.viewport()->repaint();
  }
}
BENCHMARK(BM_ConversationScroll)->Unit(benchmark::kMicrosecond);

// Before QApplication goes: the runner's thread and the relay process.
void ReleaseShared() {
  ConversationSlot().reset();
  InboxProfileSlot().reset();
  LongConversationSlot().reset();
}

}  // namespace
}  // namespace attune::desktop

int main(int argc, char** argv) {
  // Never a real display.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QStandardPaths::setTestModeEnabled(true);
  if (!attune::crypto::Init().ok()) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  attune::desktop::ReleaseShared();
  return 0;
}
