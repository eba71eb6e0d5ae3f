// `attune` under concurrency, crashes and hostile peers (issue #10), with
// real attune-relay and attune processes on 127.0.0.1. Profiles use the
// test-only fast key derivation (ATTUNE_TEST_FAST_KDF=1).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "attune/client/store/profile.h"
#include "attune/client/store/records.h"
#include "attune/testing/process.h"
#include "attune/testing/temp_dir.h"
#include "relay_under_test.h"

namespace attune::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kAttuneBinary = ATTUNE_CLI_BINARY;
constexpr auto kCommandTimeout = seconds(120);

class User {
 public:
  User(const fs::path& dir, std::string passphrase)
      : dir_(dir), passphrase_(std::move(passphrase)) {}

  const fs::path& dir() const { return dir_; }
  const std::string& passphrase() const { return passphrase_; }

  ProcessOptions Options(std::vector<std::string> args, std::string stdin_data = "",
                         std::optional<std::string> passphrase = std::nullopt) const {
    ProcessOptions o;
    o.executable = kAttuneBinary;
    o.args = {"--profile", dir_.string()};
    o.args.insert(o.args.end(), args.begin(), args.end());
    o.env = {{"ATTUNE_PASSPHRASE", passphrase.value_or(passphrase_)},
             {"ATTUNE_TEST_FAST_KDF", "1"},
             {"TZ", "UTC"}};
    o.stdin_data = std::move(stdin_data);
    return o;
  }

  Completed Run(std::vector<std::string> args, std::string stdin_data = "",
                std::optional<std::string> passphrase = std::nullopt) const {
    auto r = RunToCompletion(Options(std::move(args), std::move(stdin_data), passphrase),
                             kCommandTimeout);
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

  std::vector<std::string> Texts(const std::string& contact, const std::string& direction) const {
    std::string json = Ok({"export", contact});
    std::vector<std::string> out;
    auto doc = nlohmann::json::parse(json, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << json;
    if (doc.is_discarded()) return out;
    for (const auto& m : doc["messages"]) {
      if (m.value("direction", "") == direction && m.contains("text")) {
        out.push_back(m["text"].get<std::string>());
      }
    }
    return out;
  }

 private:
  fs::path dir_;
  std::string passphrase_;
};

class ClientRobustnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto relay = RelayUnderTest::Start();
    ASSERT_TRUE(relay.ok()) << relay.error().message;
    relay_ = std::move(relay).value();
    credential_file_ = root_ / "clinic.credential";
    ASSERT_TRUE(WriteFileText(credential_file_, ToHex(relay_->credential().view()) + "\n"));
  }

  void InitTherapist(const User& t) {
    t.Ok({"init", "--role", "therapist", "--name", "Dr Rivera", "--relay",
          "127.0.0.1:" + std::to_string(relay_->port()), "--relay-key", ToHex(relay_->public_key()),
          "--credential-file", credential_file_.string()});
  }

  static std::string InvitationCode(const std::string& invite_output) {
    std::smatch m;
    static const std::regex kCode("(ATTUNE1-[A-Z2-7-]+)");
    EXPECT_TRUE(std::regex_search(invite_output, m, kCode)) << invite_output;
    return m.size() > 1 ? m[1].str() : std::string();
  }

  void Pair(const User& therapist, const User& client, const std::string& client_name) {
    std::string code = InvitationCode(therapist.Ok({"invite", "--name", client_name, "--no-qr"}));
    std::string accepted = client.Ok({"accept", "-", "--name", "therapist"}, code + "\n");
    EXPECT_NE(accepted.find("Paired with therapist"), std::string::npos) << accepted;
    std::string synced = therapist.Ok({"sync", "--quiet-ms", "300"});
    EXPECT_NE(synced.find("Paired with " + client_name), std::string::npos) << synced;
  }

  User NewUser(const std::string& name, const std::string& passphrase) {
    return User(root_ / name, passphrase);
  }

  TempDir root_{"attune-robust-e2e"};
  std::unique_ptr<RelayUnderTest> relay_;
  fs::path credential_file_;
};

// Lines that end with `suffix`.
size_t CountLines(const std::string& text, const std::string& suffix) {
  size_t n = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) n += line.ends_with(suffix) ? 1 : 0;
  return n;
}

// Four senders and a watch on one profile: no process fails, and every one
// of the 200 messages reaches the therapist exactly once.
TEST_F(ClientRobustnessTest, FourSendersAndWatchShareOneProfile) {
  constexpr int kSenders = 4;
  constexpr int kPerSender = 50;
  User therapist = NewUser("therapist", "tp");
  User client = NewUser("client", "cp");
  InitTherapist(therapist);
  client.Ok({"init", "--role", "client", "--name", "Sam"});
  Pair(therapist, client, "sam");

  auto watch = Process::Start(client.Options({"watch", "--for", "120"}));
  ASSERT_TRUE(watch.ok());
  ASSERT_TRUE((*watch)->WaitForLine(std::regex("^Watching"), seconds(30)));

  std::vector<std::unique_ptr<Process>> senders;
  std::set<std::string> all;
  for (int s = 0; s < kSenders; ++s) {
    std::string lines;
    for (int i = 0; i < kPerSender; ++i) {
      std::string text = "sender " + std::to_string(s) + " message " + std::to_string(i);
      all.insert(text);
      lines += text + "\n";
    }
    auto p = Process::Start(client.Options({"send", "therapist", "--stdin-lines"}, lines));
    ASSERT_TRUE(p.ok());
    senders.push_back(std::move(*p));
  }
  for (auto& p : senders) {
    auto st = p->Wait(kCommandTimeout);
    ASSERT_TRUE(st.has_value());
    EXPECT_TRUE(st->Success()) << st->ToString() << "\nstderr: " << p->Stderr();
    EXPECT_NE(p->Stdout().find("Sent 50 message(s)"), std::string::npos) << p->Stdout();
  }
  // The therapist meanwhile receives with its own watch, then a sync.
  std::string received = therapist.Ok({"sync", "--quiet-ms", "1000"});
  received += therapist.Ok({"sync", "--quiet-ms", "300"});
  EXPECT_TRUE((*watch)->Running()) << (*watch)->Stderr();
  (*watch)->Terminate();
  auto st = (*watch)->Wait(seconds(20));
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->Success()) << st->ToString() << (*watch)->Stderr();
  EXPECT_EQ((*watch)->Stderr().find("cannot"), std::string::npos) << (*watch)->Stderr();

  for (const std::string& text : all) {
    EXPECT_EQ(CountLines(received, "sam: " + text), 1u) << text;
  }
  std::vector<std::string> stored = therapist.Texts("sam", "received");
  EXPECT_EQ(stored.size(), all.size());
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()), all);
  EXPECT_EQ(client.Ok({"history", "therapist"}).find("(queued)"), std::string::npos);
}

// kill -9 of `send` at 50 seeded random moments: after the next sync no
// message the sender stored is still "(queued)", and each arrives once.
TEST_F(ClientRobustnessTest, KillNineOfSendAtFiftyPointsLeavesNothingQueued) {
  User therapist = NewUser("therapist", "tp");
  User client = NewUser("client", "cp");
  InitTherapist(therapist);
  client.Ok({"init", "--role", "client", "--name", "Sam"});
  Pair(therapist, client, "sam");

  std::mt19937 rng(20261201);  // seeded: the same kill points every run
  std::uniform_int_distribution<int> delay_ms(0, 600);
  int next = 0;
  for (int round = 0; round < 50; ++round) {
    std::string lines;
    for (int i = 0; i < 4; ++i) lines += "kill-msg-" + std::to_string(next++) + "\n";
    auto p = Process::Start(client.Options({"send", "therapist", "--stdin-lines"}, lines));
    ASSERT_TRUE(p.ok());
    std::this_thread::sleep_for(milliseconds(delay_ms(rng)));  // where the kill lands
    (*p)->Kill();
    ASSERT_TRUE((*p)->Wait(seconds(10)).has_value());
  }
  Completed synced = client.Run({"sync", "--quiet-ms", "300"});
  EXPECT_TRUE(synced.status.Success()) << synced.stderr_text;
  const std::string history = client.Ok({"history", "therapist"});
  EXPECT_EQ(history.find("(queued)"), std::string::npos) << history;

  std::vector<std::string> sent = client.Texts("therapist", "sent");
  therapist.Ok({"sync", "--quiet-ms", "500"});
  std::vector<std::string> got = therapist.Texts("sam", "received");
  EXPECT_EQ(got, sent);  // in order, each once
  RecordProperty("messages_committed_before_kills", std::to_string(sent.size()));
}

// 250 messages, one of them an urgent check-in: the check-in is listed
// first, also after it was read, until acknowledged.
TEST_F(ClientRobustnessTest, UrgentCheckInIsFirstAmongTwoHundredFiftyMessages) {
  User therapist = NewUser("therapist", "tp");
  User client = NewUser("client", "cp");
  InitTherapist(therapist);
  client.Ok({"init", "--role", "client", "--name", "Sam"});
  Pair(therapist, client, "sam");
  // The check-in is the newest of 250, so that a LIMIT applied before
  // ordering would cut it off.
  std::string lines;
  for (int i = 0; i < 249; ++i) lines += "ordinary " + std::to_string(i) + "\n";
  client.Ok({"send", "therapist", "--stdin-lines"}, lines);
  client.Ok({"checkin", "therapist", "--mood", "2", "--phq9", "1,1,1,1,1,1,1,1,1"});
  therapist.Ok({"sync", "--quiet-ms", "500"});

  for (int pass = 0; pass < 2; ++pass) {  // unread, then read
    const std::string inbox = therapist.Ok({"inbox"});
    EXPECT_EQ(inbox.rfind("! URGENT", 0), 0u) << "pass " << pass << ":\n" << inbox.substr(0, 400);
    size_t urgent_lines = 0;
    std::istringstream in(inbox);
    for (std::string line; std::getline(in, line);) urgent_lines += line.starts_with("! URGENT");
    EXPECT_EQ(urgent_lines, 1u);
  }
}

// `passwd` killed after each of its steps: the profile then opens with one
// of the two passphrases (a typo first changes nothing), and keeps its data.
TEST_F(ClientRobustnessTest, PasswdKilledAtEveryStepLeavesAProfileThatOpens) {
  User therapist = NewUser("therapist", "tp");
  User original = NewUser("client", "old pass");
  InitTherapist(therapist);
  original.Ok({"init", "--role", "client", "--name", "Sam"});
  Pair(therapist, original, "sam");
  original.Ok({"send", "therapist", "written before passwd"});

  for (int step = 1; step <= client::store::kPasswdSteps; ++step) {
    SCOPED_TRACE("crash after step " + std::to_string(step));
    const fs::path dir = root_ / ("step" + std::to_string(step));
    fs::copy(original.dir(), dir, fs::copy_options::recursive);
    User old_user(dir, "old pass");
    ProcessOptions o = old_user.Options({"passwd"});
    o.env.push_back({"ATTUNE_NEW_PASSPHRASE", "new pass"});
    o.env.push_back({"ATTUNE_TEST_PASSWD_CRASH_AFTER", std::to_string(step)});
    auto crashed = RunToCompletion(o, kCommandTimeout);
    ASSERT_TRUE(crashed.ok());
    EXPECT_EQ(crashed->status.code, 99) << crashed->stderr_text;

    // A typo: refused, and nothing is lost.
    Completed typo = old_user.Run({"history", "therapist"}, "", std::string("old passs"));
    EXPECT_NE(typo.status.code, 0);
    // The natural thing to type after a crash is the old passphrase.
    Completed with_old = old_user.Run({"history", "therapist"});
    Completed with_new = old_user.Run({"history", "therapist"}, "", std::string("new pass"));
    const bool old_opens = with_old.status.Success();
    const bool new_opens = with_new.status.Success();
    EXPECT_TRUE(old_opens != new_opens)
        << "old: " << with_old.stderr_text << "\nnew: " << with_new.stderr_text;
    const std::string& out = old_opens ? with_old.stdout_text : with_new.stdout_text;
    EXPECT_NE(out.find("written before passwd"), std::string::npos) << out;
    if (!old_opens && step < client::store::kPasswdSteps) {
      EXPECT_NE(with_old.stderr_text.find("NEW passphrase"), std::string::npos)
          << with_old.stderr_text;
    }
    // Steady state: the same passphrase keeps working, the other does not.
    Completed again =
        old_user.Run({"contacts"}, "", std::string(old_opens ? "old pass" : "new pass"));
    EXPECT_TRUE(again.status.Success()) << again.stderr_text;
    EXPECT_FALSE(fs::exists(dir / "keyparams.new"));
    EXPECT_FALSE(fs::exists(dir / "attune.db.new"));
  }
}

// A display name carrying C2 9B (a one-byte CSI) is refused at `init`, and
// a hello that carries one is not turned into a contact.
TEST_F(ClientRobustnessTest, DisplayNameWithC1ControlIsRefusedEverywhere) {
  const std::string hostile =
      "Sam\xC2\x9B"
      "2J";
  User refused = NewUser("refused", "cp");
  Completed init = refused.Run({"init", "--role", "client", "--name", hostile});
  EXPECT_NE(init.status.code, 0);
  EXPECT_NE(init.stderr_text.find("control character"), std::string::npos) << init.stderr_text;
  EXPECT_FALSE(fs::exists(refused.dir() / "keyparams"));
  Completed bidi = refused.Run({"init", "--role", "client", "--name",
                                "Sam\xE2\x80\xAE"
                                "evil"});
  EXPECT_NE(bidi.status.code, 0);
  EXPECT_NE(bidi.stderr_text.find("bidi"), std::string::npos) << bidi.stderr_text;

  // A modified client whose stored name holds the sequence (written straight
  // into its database) sends it in its ContactHello.
  User therapist = NewUser("therapist", "tp");
  User client = NewUser("client", "cp");
  InitTherapist(therapist);
  client.Ok({"init", "--role", "client", "--name", "Sam"});
  {
    auto p = client::store::Profile::Open(client.dir().string(), AsBytes("cp"));
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_TRUE(client::store::PutSetting(p->db(), "display_name", AsBytes(hostile)).ok());
  }
  std::string code = InvitationCode(therapist.Ok({"invite", "--no-qr"}));
  client.Ok({"accept", "-", "--name", "therapist"}, code + "\n");
  Completed synced = therapist.Run({"sync", "--quiet-ms", "300"});
  EXPECT_TRUE(synced.status.Success()) << synced.stderr_text;
  EXPECT_EQ(synced.stdout_text.find("Paired"), std::string::npos) << synced.stdout_text;
  EXPECT_EQ(synced.stdout_text.find("\xC2\x9B"), std::string::npos);
  EXPECT_EQ(synced.stderr_text.find("\xC2\x9B"), std::string::npos);
  EXPECT_NE(therapist.Ok({"contacts"}).find("No contacts yet."), std::string::npos);
}

// Multi-line texts are shown as lines; a control sequence is never printed.
TEST_F(ClientRobustnessTest, MultiLineTextIsShownAsLinesAndEscapesAreReplaced) {
  User therapist = NewUser("therapist", "tp");
  User client = NewUser("client", "cp");
  InitTherapist(therapist);
  client.Ok({"init", "--role", "client", "--name", "Sam"});
  Pair(therapist, client, "sam");
  client.Ok({"send", "therapist", "-"}, "first line\nsecond line\n");
  const std::string synced = therapist.Ok({"sync", "--quiet-ms", "300"});
  EXPECT_NE(synced.find("sam: first line\n    second line\n"), std::string::npos) << synced;
  const std::string history = therapist.Ok({"history", "sam"});
  EXPECT_NE(history.find("sam: first line\n    second line"), std::string::npos) << history;
}

// A used invitation: a clear error, exit 1, and the second profile has no
// contact, no mailbox and nothing queued.
TEST_F(ClientRobustnessTest, UsedInvitationFailsClearlyAndCreatesNothing) {
  User therapist = NewUser("therapist", "tp");
  User first = NewUser("first", "cp");
  User second = NewUser("second", "cp");
  InitTherapist(therapist);
  first.Ok({"init", "--role", "client", "--name", "Sam"});
  second.Ok({"init", "--role", "client", "--name", "Alex"});
  std::string code = InvitationCode(therapist.Ok({"invite", "--name", "sam", "--no-qr"}));
  first.Ok({"accept", "-", "--name", "therapist"}, code + "\n");

  Completed again = second.Run({"accept", "-", "--name", "therapist"}, code + "\n");
  EXPECT_EQ(again.status.code, 1);
  EXPECT_NE(again.stderr_text.find("already been used"), std::string::npos) << again.stderr_text;
  EXPECT_EQ(again.stdout_text.find("Paired"), std::string::npos) << again.stdout_text;
  EXPECT_NE(second.Ok({"contacts"}).find("No contacts yet."), std::string::npos);
  auto p = client::store::Profile::Open(second.dir().string(), AsBytes("cp"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  auto mailboxes = client::store::ListMailboxes(p->db());
  ASSERT_TRUE(mailboxes.ok());
  EXPECT_TRUE(mailboxes->empty());
  auto unsent = client::store::ListUnsent(p->db(), 10);
  ASSERT_TRUE(unsent.ok());
  EXPECT_TRUE(unsent->empty());
  // The genuine pairing is unaffected.
  EXPECT_NE(therapist.Ok({"sync", "--quiet-ms", "300"}).find("Paired with sam"), std::string::npos);
}

// Core dumps are off in every attune process; database and key files are
// private to the user.
TEST_F(ClientRobustnessTest, NoCoreDumpsAndPrivateFiles) {
  User client = NewUser("client", "cp");
  client.Ok({"init", "--role", "client", "--name", "Sam"});
  auto watch = Process::Start(client.Options({"watch", "--for", "30"}));
  ASSERT_TRUE(watch.ok());
  ASSERT_TRUE((*watch)->WaitForLine(std::regex("^Watching"), seconds(30)));
  std::ifstream limits("/proc/" + std::to_string((*watch)->pid()) + "/limits");
  std::string line, core;
  while (std::getline(limits, line)) {
    if (line.rfind("Max core file size", 0) == 0) core = line;
  }
  EXPECT_TRUE(std::regex_search(core, std::regex("^Max core file size\\s+0\\s+0\\s"))) << core;
  // While the watch holds the database open, its -wal and -shm exist too.
  for (const char* name : {"attune.db", "attune.db-wal", "attune.db-shm", "keyparams", "anchor",
                           "lock", "anchor.lock"}) {
    struct stat st {};
    const fs::path path = client.dir() / name;
    if (::stat(path.c_str(), &st) != 0) {
      EXPECT_TRUE(std::string(name) == "anchor") << name << " missing";
      continue;
    }
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
  struct stat dir {};
  ASSERT_EQ(::stat(client.dir().c_str(), &dir), 0);
  EXPECT_EQ(dir.st_mode & 0777, 0700u);
  (*watch)->Terminate();
  ASSERT_TRUE((*watch)->Wait(seconds(10)).has_value());
}

// Someone pairing under a known contact's name with another identity key
// cannot set the crisis resources this client is shown until verified.
TEST_F(ClientRobustnessTest, SettingsFromAChangedIdentityAreIgnoredUntilVerified) {
  User therapist = NewUser("therapist", "tp");
  User impostor = NewUser("impostor", "ip");
  User client = NewUser("client", "cp");
  InitTherapist(therapist);
  impostor.Ok({"init", "--role", "therapist", "--name", "Dr Rivera", "--relay",
               "127.0.0.1:" + std::to_string(relay_->port()), "--relay-key",
               ToHex(relay_->public_key()), "--credential-file", credential_file_.string()});
  client.Ok({"init", "--role", "client", "--name", "Sam"});
  Pair(therapist, client, "sam");
  // The impostor's invitation, accepted under the same local name, is staged
  // as a pending re-pairing: it replaces nothing until confirmed.
  const std::string code = InvitationCode(impostor.Ok({"invite", "--name", "sam", "--no-qr"}));
  const std::string accepted = client.Ok({"accept", "-", "--name", "therapist"}, code + "\n");
  EXPECT_NE(accepted.find("replaces nothing until you confirm it"), std::string::npos) << accepted;
  EXPECT_NE(impostor.Ok({"sync", "--quiet-ms", "300"}).find("Paired with sam"), std::string::npos);
  EXPECT_NE(client.Ok({"contacts"}).find("PENDING re-pairing of therapist"), std::string::npos);
  impostor.Ok({"resources", "--resource", "Impostor line|555-0100|call|", "--to", "sam"});
  Completed synced = client.Run({"sync", "--quiet-ms", "300"});
  EXPECT_TRUE(synced.status.Success()) << synced.stderr_text;
  // Shown first, before the (refused) send to the unverified contact.
  const std::string help = client.Run({"checkin", "therapist", "--help-now"}).stdout_text;
  EXPECT_EQ(help.find("Impostor line"), std::string::npos) << help;
  EXPECT_NE(help.find("988"), std::string::npos) << help;
}

}  // namespace
}  // namespace attune::testing
