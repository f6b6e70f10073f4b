// The tracker CLI as a user runs it: daemon start/status/stop and issue commands, exit codes,
// global options before and after the subcommand.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include <array>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "test_dir.h"
#include "trackerd_process.h"

namespace tracker::testing {
namespace {

using leakgate::testing::TestDir;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class CliTest : public ::testing::Test {
 protected:
  void TearDown() override { run("daemon stop"); }

  // Runs `tracker <args>` through the shell with this test's endpoint.
  CommandResult run(const std::string& args) const {
    return run_in("TRACKER_ENDPOINT='" + endpoint() + "'", args);
  }

  // Runs `tracker <args>` with no TRACKER_ENDPOINT and a default endpoint and token file in an
  // empty directory of this test: only the flags on the command line can reach a daemon.
  CommandResult run_flags_only(const std::string& args) const {
    return run_in("env -u TRACKER_ENDPOINT XDG_RUNTIME_DIR='" + (dir_ / "xdg").string() + "'",
                  args);
  }

  CommandResult run_in(const std::string& environment, const std::string& args) const {
    const std::string command = environment + " '" + TRACKER_CLI_PATH + "' " + args + " 2>&1";
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

  std::string endpoint() const { return "unix:" + (dir_ / "run" / "d.sock").string(); }

  TestDir dir_{"trk"};
};

// The output as JSON, or a test failure naming the output.
nlohmann::json parsed(const CommandResult& result) {
  nlohmann::json document = nlohmann::json::parse(result.output, nullptr, false);
  EXPECT_FALSE(document.is_discarded()) << "not JSON: " << result.output;
  return document;
}

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

// Global options (--endpoint, --json, --trackerd) typed after the subcommand, as gh and kubectl
// users type them, mean what they mean before it.
TEST_F(CliTest, GlobalOptionsAfterTheSubcommand) {
  const std::string at = " --endpoint '" + endpoint() + "'";
  const std::string db = " --db '" + (dir_ / "t.db").string() + "'";
  EXPECT_EQ(run_flags_only("daemon status" + at).exit_code, 3);
  const auto no_trackerd =
      run_flags_only("daemon start" + db + at + " --trackerd /nonexistent/trackerd");
  EXPECT_NE(no_trackerd.exit_code, 0) << "--trackerd after `start` was ignored";
  const auto started =
      run_flags_only("daemon start" + db + at + " --trackerd '" + trackerd_path() + "'");
  ASSERT_EQ(started.exit_code, 0) << started.output;
  EXPECT_EQ(started.output, endpoint() + "\n");

  EXPECT_EQ(run_flags_only("issue add first" + at).output, "created #1\n");
  EXPECT_EQ(run_flags_only("--endpoint '" + endpoint() + "' issue add second --label bug").output,
            "created #2\n");
  EXPECT_EQ(run_flags_only("issue add third -e '" + endpoint() + "'").output, "created #3\n");

  const auto before = run_flags_only("--json" + at + " issue list");
  const auto after = run_flags_only("issue list --json" + at);
  const auto between = run_flags_only("issue" + at + " --json list --label bug");
  ASSERT_EQ(after.exit_code, 0) << after.output;
  EXPECT_EQ(after.output, before.output);
  const nlohmann::json listed = parsed(after);
  ASSERT_EQ(listed.size(), 3u) << after.output;
  EXPECT_EQ(listed[1]["title"], "second");
  ASSERT_EQ(between.exit_code, 0) << between.output;
  EXPECT_EQ(parsed(between).size(), 1u) << between.output;
  EXPECT_NE(run_flags_only("issue list" + at).output, after.output);  // a table, not JSON

  EXPECT_EQ(parsed(run_flags_only("issue show 2 --json" + at))["title"], "second");
  EXPECT_EQ(parsed(run_flags_only("issue close 1" + at + " --json"))["status"], "closed");
  EXPECT_TRUE(parsed(run_flags_only("stats --json" + at)).contains("total"));
  EXPECT_EQ(parsed(run_flags_only("daemon status --json" + at))["running"], true);

  // Still refused: an option nobody defines, wherever it is.
  EXPECT_EQ(run_flags_only("issue list --frobnicate" + at).exit_code, 2);
  EXPECT_EQ(run_flags_only("--frobnicate issue list" + at).exit_code, 2);

  const auto stopped = run_flags_only("daemon stop" + at);
  EXPECT_EQ(stopped.exit_code, 0) << stopped.output;
  EXPECT_EQ(run_flags_only("daemon status" + at).exit_code, 3);
}

// --token-file after the subcommand, against a TCP trackerd: the right token is used, a wrong
// one is refused with the token's exit code.
TEST_F(CliTest, TokenFileAfterTheSubcommand) {
  const auto token = dir_ / "token";
  TrackerdProcess daemon(
      {"--listen", "127.0.0.1:0", "--token-file", token.string(), "--db", (dir_ / "t.db").string()},
      dir_ / "trackerd.log");
  const std::string at = " --endpoint " + daemon.endpoint();
  const std::string with_token = at + " --token-file '" + token.string() + "'";
  const auto wrong = dir_ / "wrong-token";
  std::ofstream(wrong) << std::string(64, '0') << "\n";

  const auto added = run_flags_only("issue add over-tcp" + with_token);
  ASSERT_EQ(added.exit_code, 0) << added.output;
  EXPECT_EQ(added.output, "created #1\n");
  const auto before =
      run_flags_only("--json --token-file '" + token.string() + "'" + at + " issue list");
  const auto after = run_flags_only("issue list" + with_token + " --json");
  ASSERT_EQ(after.exit_code, 0) << after.output;
  EXPECT_EQ(after.output, before.output);
  EXPECT_EQ(parsed(after)[0]["title"], "over-tcp");

  EXPECT_EQ(run_flags_only("issue list" + at + " --token-file '" + wrong.string() + "'").exit_code,
            6);
  EXPECT_EQ(run_flags_only("issue list" + at).exit_code, 1);  // no token file in the default place
  EXPECT_EQ(daemon.stop(SIGTERM).code, 0);
}

}  // namespace
}  // namespace tracker::testing
