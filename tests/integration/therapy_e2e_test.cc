// End-to-end therapy features with real attune-relay and attune processes on
// 127.0.0.1 (issue #6): the risk flag (resources shown with the relay down,
// urgent first for the therapist once it arrives, until acknowledged),
// delivery receipts that never reveal the therapist's reading, the local
// auto-reply outside office hours, export, and invalid answers refused.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "attune/testing/process.h"
#include "attune/testing/temp_dir.h"
#include "relay_under_test.h"

namespace attune::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr const char* kAttuneBinary = ATTUNE_CLI_BINARY;
constexpr auto kCommandTimeout = seconds(60);

class Device {
 public:
  Device(const TempDir& root, const std::string& name) : dir_(root / name) {}

  Completed Run(std::vector<std::string> args, std::string stdin_data = "") const {
    ProcessOptions o;
    o.executable = kAttuneBinary;
    o.args = {"--profile", dir_.string()};
    o.args.insert(o.args.end(), args.begin(), args.end());
    o.env = {{"ATTUNE_PASSPHRASE", "passphrase of " + dir_.filename().string()},
             {"ATTUNE_TEST_FAST_KDF", "1"},
             {"TZ", "UTC"}};
    o.stdin_data = std::move(stdin_data);
    auto r = RunToCompletion(o, kCommandTimeout);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r).value() : Completed{};
  }

  std::string Ok(std::vector<std::string> args, std::string stdin_data = "") const {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    Completed c = Run(std::move(args), std::move(stdin_data));
    EXPECT_TRUE(c.status.Success())
        << "attune " << joined << "-> " << c.status.ToString() << "\nstdout: " << c.stdout_text
        << "\nstderr: " << c.stderr_text;
    return c.stdout_text;
  }

 private:
  fs::path dir_{};
};

class TherapyE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto relay = RelayUnderTest::Start();
    ASSERT_TRUE(relay.ok()) << relay.error().message;
    relay_ = std::move(relay).value();
    const fs::path credential = root_ / "clinic.credential";
    ASSERT_TRUE(WriteFileText(credential, ToHex(relay_->credential().view()) + "\n"));
    therapist_.Ok({"init", "--role", "therapist", "--name", "Dr Rivera", "--relay",
                   "127.0.0.1:" + std::to_string(relay_->port()), "--relay-key",
                   ToHex(relay_->public_key()), "--credential-file", credential.string()});
    client_.Ok({"init", "--role", "client", "--name", "Sam"});
    std::smatch m;
    const std::string invite = therapist_.Ok({"invite", "--name", "sam", "--no-qr"});
    static const std::regex kCode("(ATTUNE1-[A-Z2-7-]+)");
    ASSERT_TRUE(std::regex_search(invite, m, kCode)) << invite;
    client_.Ok({"accept", "-", "--name", "therapist"}, m[1].str() + "\n");
    therapist_.Ok({"sync", "--quiet-ms", "300"});
  }

  std::string Sync(const Device& d) { return d.Ok({"sync", "--quiet-ms", "300"}); }

  TempDir root_{"attune-therapy-e2e"};
  std::unique_ptr<RelayUnderTest> relay_{};
  Device therapist_{root_, "therapist"};
  Device client_{root_, "client"};
};

TEST_F(TherapyE2eTest, RiskShowsResourcesOfflineAndReachesTherapistFirstUntilAcknowledged) {
  client_.Ok({"send", "therapist", "an ordinary message first"});

  // The relay is down: the check-in cannot be sent, the resources show anyway, first.
  relay_->Kill9();
  const Completed checkin =
      client_.Run({"checkin", "therapist", "--mood", "2", "--phq9", "1,1,1,1,1,1,1,1,1"});
  ASSERT_TRUE(checkin.status.Success()) << checkin.stderr_text;
  const std::string& out = checkin.stdout_text;
  const size_t resources = out.find("call or text 988");
  ASSERT_NE(resources, std::string::npos) << out;
  EXPECT_NE(out.find("call 911"), std::string::npos) << out;
  EXPECT_NE(out.find("Text HOME to 741741"), std::string::npos) << out;
  const size_t queued = out.find("queued");
  ASSERT_NE(queued, std::string::npos) << out;
  EXPECT_LT(resources, queued) << out;

  // "I need help now" alone, also offline.
  const std::string help = client_.Ok({"checkin", "therapist", "--help-now"});
  EXPECT_NE(help.find("call or text 988"), std::string::npos) << help;

  ASSERT_TRUE(relay_->Restart(/*same_port=*/true).ok()) << relay_->AllLogs();
  EXPECT_NE(Sync(client_).find("2 sent"), std::string::npos);

  const std::string arrived = Sync(therapist_);
  EXPECT_NE(arrived.find("!!! URGENT check-in from sam"), std::string::npos) << arrived;
  EXPECT_NE(arrived.find("PHQ-9 item 9"), std::string::npos) << arrived;

  // Urgent items first, flagged, although the ordinary message is older.
  std::string inbox = therapist_.Ok({"inbox"});
  std::istringstream lines(inbox);
  std::string first, second, third;
  std::getline(lines, first);
  std::getline(lines, second);
  std::getline(lines, third);
  EXPECT_EQ(first.rfind("! URGENT", 0), 0u) << inbox;
  EXPECT_EQ(second.rfind("! URGENT", 0), 0u) << inbox;
  EXPECT_NE(third.find("an ordinary message first"), std::string::npos) << inbox;
  // Still first (and flagged) after being read, until acknowledged.
  EXPECT_EQ(therapist_.Ok({"inbox"}).rfind("! URGENT", 0), 0u);

  const std::string table = therapist_.Ok({"checkins", "sam"});
  EXPECT_NE(table.find("9 Mild"), std::string::npos) << table;
  EXPECT_NE(table.find("URGENT"), std::string::npos) << table;

  EXPECT_NE(therapist_.Ok({"ack", "sam"}).find("Acknowledged 2"), std::string::npos);
  inbox = therapist_.Ok({"inbox"});
  EXPECT_EQ(inbox.find("! URGENT"), std::string::npos) << inbox;
  EXPECT_NE(therapist_.Ok({"checkins", "sam"}).find("urgent (ack)"), std::string::npos);
}

TEST_F(TherapyE2eTest, ReceiptsSayDeliveredButNeverRevealReading) {
  client_.Ok({"send", "therapist", "did you get this?"});
  Sync(therapist_);  // the therapist's device stores it and returns a receipt
  EXPECT_NE(Sync(client_).find("1 new"), std::string::npos);
  auto doc = nlohmann::json::parse(client_.Ok({"export", "therapist"}), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  ASSERT_EQ(doc["messages"].size(), 1u);
  EXPECT_EQ(doc["messages"][0]["delivered"], true);

  // The therapist reads in every way there is; nothing reaches the client.
  therapist_.Ok({"inbox"});
  therapist_.Ok({"history", "sam"});
  therapist_.Ok({"checkins", "sam"});
  therapist_.Ok({"export", "sam", "--format", "csv"});
  Sync(therapist_);
  EXPECT_NE(Sync(client_).find("0 new"), std::string::npos);
  // The client's view says "delivered" and has no read/seen state to show.
  const std::string history = client_.Ok({"history", "therapist"});
  EXPECT_NE(history.find("did you get this?  (delivered)"), std::string::npos) << history;
  EXPECT_EQ(history.find("read"), std::string::npos) << history;
  EXPECT_EQ(history.find("seen"), std::string::npos) << history;
}

TEST_F(TherapyE2eTest, AutoReplyOutsideOfficeHoursIsLocalAndScheduleIsDue) {
  // Office hours only on a weekday that is not today (UTC), so "now" is outside.
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  const std::string other_day = kDays[(tm.tm_wday + 2) % 7];
  client_.Ok({"send", "therapist", "hello"});
  Sync(therapist_);
  therapist_.Ok({"hours", other_day + " 09:00-17:00", "--tz", "UTC", "--reply-hours", "24"});
  therapist_.Ok({"schedule", "sam", "daily 00:00", "--instruments", "phq9", "--tz", "UTC"});
  Sync(client_);

  const std::string due = client_.Ok({"due"});
  EXPECT_NE(due.find("daily 00:00"), std::string::npos) << due;

  const std::string sent = client_.Ok({"send", "therapist", "are you there?"});
  EXPECT_NE(sent.find("shown on this device only"), std::string::npos) << sent;
  EXPECT_NE(sent.find("Office hours resume " + other_day), std::string::npos) << sent;
  EXPECT_NE(sent.find("Usually replies within 24 hours."), std::string::npos) << sent;
  EXPECT_NE(sent.find("988"), std::string::npos) << sent;
  // The therapist's device sends no auto-reply: only the receipt comes back.
  Sync(therapist_);
  EXPECT_NE(Sync(client_).find("1 new"), std::string::npos);

  // A client paired later receives the office hours when pairing completes.
  Device kim(root_, "kim");
  kim.Ok({"init", "--role", "client", "--name", "Kim"});
  std::smatch m;
  const std::string invite = therapist_.Ok({"invite", "--name", "kim", "--no-qr"});
  static const std::regex kCode("(ATTUNE1-[A-Z2-7-]+)");
  ASSERT_TRUE(std::regex_search(invite, m, kCode)) << invite;
  kim.Ok({"accept", "-", "--name", "therapist"}, m[1].str() + "\n");
  Sync(therapist_);
  Sync(kim);
  const std::string kim_sent = kim.Ok({"send", "therapist", "hi, I am new"});
  EXPECT_NE(kim_sent.find("Office hours resume " + other_day), std::string::npos) << kim_sent;
}

TEST_F(TherapyE2eTest, InvalidAnswersAreRefusedAndNothingIsSent) {
  client_.Ok({"send", "therapist", "hi"});
  Sync(therapist_);
  const Completed bad = client_.Run({"checkin", "therapist", "--phq9", "1,2,3"});
  EXPECT_FALSE(bad.status.Success());
  EXPECT_NE(bad.stderr_text.find("PHQ-9 needs 9 answers, got 3"), std::string::npos)
      << bad.stderr_text;
  const Completed range = client_.Run({"checkin", "therapist", "--gad7", "0,0,0,0,0,0,4"});
  EXPECT_FALSE(range.status.Success());
  EXPECT_NE(range.stderr_text.find("out of range"), std::string::npos) << range.stderr_text;
  // Only the text went out: the therapist receives nothing more.
  EXPECT_NE(Sync(therapist_).find("0 new"), std::string::npos);

  // A valid one round-trips into the therapist's CSV export with its score.
  client_.Ok({"checkin", "therapist", "--mood", "6", "--gad7", "1,1,1,1,1,1,1", "--sleep", "7.5"});
  Sync(therapist_);
  const std::string csv = therapist_.Ok({"export", "sam", "--format", "csv"});
  EXPECT_NE(csv.find(",7,Mild,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",450,"), std::string::npos) << csv;
}

}  // namespace
}  // namespace attune::testing
