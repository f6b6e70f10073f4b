// The tracker CLI as a user runs it: daemon start/status/stop and issue commands, exit codes.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <array>
#include <string>

#include "temp_dir.h"

namespace tracker::testing {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class CliTest : public ::testing::Test {
 protected:
  void TearDown() override { run("daemon stop"); }

  // Runs `tracker <args>` through the shell with this test's endpoint.
  CommandResult run(const std::string& args) const {
    const std::string command = "TRACKER_ENDPOINT='unix:" + (dir_ / "run" / "d.sock").string() +
                                "' '" + TRACKER_CLI_PATH + "' " + args + " 2>&1";
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    std::array<char, 512> chunk{};
    while (size_t got = std::fread(chunk.data(), 1, chunk.size(), pipe)) {
      result.output.append(chunk.data(), got);
    }
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
  }

  TempDir dir_;
};

TEST_F(CliTest, DaemonLifecycleAndIssueCommands) {
  EXPECT_EQ(run("daemon status").exit_code, 3);
  const auto started = run("daemon start --db '" + (dir_ / "t.db").string() + "'");
  ASSERT_EQ(started.exit_code, 0) << started.output;
  EXPECT_EQ(started.output, "unix:" + (dir_ / "run" / "d.sock").string() + "\n");
  EXPECT_EQ(run("daemon status").exit_code, 0);

  const auto added = run("issue add 'Crash on start' --label bug --priority 3");
  ASSERT_EQ(added.exit_code, 0) << added.output;
  EXPECT_EQ(added.output, "created #1\n");
  EXPECT_EQ(run("issue close 1").exit_code, 0);
  const auto shown = run("--json issue show 1");
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_NE(shown.output.find("\"status\": \"closed\""), std::string::npos) << shown.output;
  const auto listed = run("issue list --status closed");
  EXPECT_NE(listed.output.find("Crash on start"), std::string::npos) << listed.output;

  EXPECT_EQ(run("issue show 99").exit_code, 4);
  EXPECT_EQ(run("issue add ''").exit_code, 5);
  EXPECT_EQ(run("issue frobnicate").exit_code, 2);
  EXPECT_EQ(run("issue rm 1").exit_code, 0);
  EXPECT_EQ(run("issue show 1").exit_code, 4);

  const auto stopped = run("daemon stop");
  EXPECT_EQ(stopped.exit_code, 0) << stopped.output;
  EXPECT_EQ(run("daemon status").exit_code, 3);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "run" / "d.sock"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "run" / "trackerd.pid"));
}

TEST_F(CliTest, SessionPerCallInjectionStillWorks) {
  ASSERT_EQ(run("daemon start --db '" + (dir_ / "t.db").string() + "'").exit_code, 0);
  EXPECT_EQ(run("issue add leaky").exit_code, 0);
  const auto listed = run("issue list");  // TRACKER_INJECT is read by every command
  EXPECT_EQ(::setenv("TRACKER_INJECT", "session-per-call", 1), 0);
  const auto leaky = run("issue list");
  ::unsetenv("TRACKER_INJECT");
  EXPECT_EQ(leaky.exit_code, 0);
  EXPECT_EQ(leaky.output, listed.output);
}

}  // namespace
}  // namespace tracker::testing
