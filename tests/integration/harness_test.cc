// The process harness itself, on /bin/sh: output capture and line waits,
// stdin, environment, exit statuses, signals, timeouts, temp dirs.
#include <gtest/gtest.h>

#include "attune/testing/net_util.h"
#include "attune/testing/process.h"
#include "attune/testing/temp_dir.h"

namespace attune::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

ProcessOptions Shell(const std::string& script) {
  ProcessOptions o;
  o.executable = "/bin/sh";
  o.args = {"-c", script};
  return o;
}

TEST(ProcessHarness, CapturesStreamsAndWaitsForMatchingLines) {
  ProcessOptions o = Shell("echo ready on port 4242; echo oops >&2; read x; echo got $x");
  o.close_stdin = false;  // written below
  auto p = Process::Start(o);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  auto m = (*p)->WaitForLine(std::regex(R"(port (\d+))"), seconds(5), Stream::kStdout);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[1], "4242");
  EXPECT_TRUE((*p)->WaitForLine(std::regex("^oops$"), seconds(5), Stream::kStderr));
  EXPECT_FALSE((*p)->WaitForLine(std::regex("^oops$"), milliseconds(50), Stream::kStdout));
  (*p)->WriteStdin("hello\n");
  (*p)->CloseStdin();
  EXPECT_TRUE((*p)->WaitForLine(std::regex("^got hello$"), seconds(5)));
  auto status = (*p)->Wait(seconds(5));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->Success());
  EXPECT_EQ((*p)->Stderr(), "oops\n");
}

TEST(ProcessHarness, RunToCompletionWithStdinEnvAndExitCode) {
  ProcessOptions o = Shell("cat; echo \"$ATTUNE_HARNESS_VAR\"; exit 3");
  o.stdin_data = "from stdin\n";
  o.env = {{"ATTUNE_HARNESS_VAR", "from env"}};
  auto done = RunToCompletion(o, seconds(5));
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_TRUE(done->status.exited);
  EXPECT_EQ(done->status.code, 3);
  EXPECT_EQ(done->stdout_text, "from stdin\nfrom env\n");
}

TEST(ProcessHarness, SignalsTimeoutsAndMissingPrograms) {
  auto sleeper =
      Process::Start(Shell("trap 'echo term; exit 0' TERM; echo up; while :; do sleep 0.05; done"));
  ASSERT_TRUE(sleeper.ok());
  ASSERT_TRUE((*sleeper)->WaitForLine(std::regex("^up$"), seconds(5)));
  EXPECT_FALSE((*sleeper)->Wait(milliseconds(50)).has_value());
  (*sleeper)->Terminate();
  auto status = (*sleeper)->Wait(seconds(5));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->Success());

  auto victim = Process::Start(Shell("sleep 30"));
  ASSERT_TRUE(victim.ok());
  EXPECT_TRUE((*victim)->RssKiB().has_value());
  (*victim)->Kill();
  auto killed = (*victim)->Wait(seconds(5));
  ASSERT_TRUE(killed.has_value());
  EXPECT_FALSE(killed->exited);
  EXPECT_EQ(killed->signal, 9);

  auto slow = RunToCompletion(Shell("sleep 30"), milliseconds(100));
  EXPECT_FALSE(slow.ok());
  ProcessOptions missing;
  missing.executable = "/nonexistent/attune-program";
  EXPECT_FALSE(Process::Start(missing).ok());
}

TEST(ProcessHarness, TempDirScanAndPorts) {
  std::filesystem::path kept;
  {
    TempDir dir("attune-harness");
    kept = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(kept));
    ASSERT_TRUE(WriteFileText(dir / "a.bin", std::string("xx needle yy")));
    std::filesystem::create_directories(dir / "sub");
    ASSERT_TRUE(WriteFileText(dir / "sub" / "b.bin", "nothing here"));
    const auto hits = FilesContaining(dir.path(), AsBytes("needle"));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].filename(), "a.bin");
    EXPECT_TRUE(FilesContaining(dir.path(), AsBytes("absent")).empty());
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
  auto port = FreeTcpPort();
  ASSERT_TRUE(port.has_value());
  EXPECT_GT(*port, 0);
}

}  // namespace
}  // namespace attune::testing
