// One ctest invocation is one run: an open session gives every published test its run id and
// the project's commit (run_session.h), real files in a temporary report directory.
#include <gtest/gtest.h>

#include <cstdlib>

#include "leakgate/reports/atomic_file.h"
#include "leakgate/reports/publish.h"
#include "leakgate/reports/run_session.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

using nlohmann::json;

// The environment variables a session reads, unset for the test and restored after it.
class RunSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"LEAKGATE_RUN_ID", "LEAKGATE_GIT_COMMIT"}) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      ::unsetenv(name);
    }
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_)
      value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(RunSessionTest, EveryTestPublishedWhileOpenJoinsItsRunAndNamesTheProjectsCommit) {
  const TemporaryDirectory directory;
  const RunSession session = open_run_session(directory.path(), "", "c0ffee1");
  EXPECT_EQ(session.project_commit, "c0ffee1");
  for (const char* fixture : {"failing-engines-leak", "passing-issue-crud"}) {
    json result = load_fixture(fixture);
    result["environment"]["git_commit"] = "leakgate-own";
    publish_test_result(directory.path(), result);
  }
  const json results = json::parse(read_text_file(directory.path() / "results.json"));
  ASSERT_EQ(results["tests"].size(), 2u);
  for (const json& test : results["tests"]) {
    EXPECT_EQ(test["history"]["run_id"], session.run_id);
    EXPECT_EQ(test["environment"]["git_commit"], "c0ffee1");
    EXPECT_EQ(test["environment"]["leakgate_commit"], "leakgate-own");
  }
  EXPECT_TRUE(close_run_session(directory.path()));
  EXPECT_FALSE(read_run_session(directory.path()).has_value());
  EXPECT_FALSE(close_run_session(directory.path()));  // nothing open any more
}

TEST_F(RunSessionTest, WithoutASessionEachTestIsARunOfItsOwn) {
  const TemporaryDirectory directory;
  const PublishOptions first = publish_options_from_environment(directory.path());
  const PublishOptions second = publish_options_from_environment(directory.path());
  EXPECT_NE(first.run_id, second.run_id);
  EXPECT_EQ(first.project_commit, "");
}

TEST_F(RunSessionTest, TheEnvironmentsRunIdWinsOverTheSessions) {
  const TemporaryDirectory directory;
  open_run_session(directory.path(), "", "c0ffee1");
  ::setenv("LEAKGATE_RUN_ID", "shard-3", 1);
  const PublishOptions options = publish_options_from_environment(directory.path());
  EXPECT_EQ(options.run_id, "shard-3");
  EXPECT_EQ(options.project_commit, "c0ffee1");
}

TEST_F(RunSessionTest, ASessionFileThatIsNotOneCountsAsNone) {
  const TemporaryDirectory directory;
  write_file_atomically(run_session_path(directory.path()), "{\"run_id\": ");
  EXPECT_FALSE(read_run_session(directory.path()).has_value());
  write_file_atomically(run_session_path(directory.path()), "{\"run_id\": \"\"}");
  EXPECT_FALSE(read_run_session(directory.path()).has_value());
}

TEST_F(RunSessionTest, TheProjectsCommitComesFromItsGitWorkTree) {
  const TemporaryDirectory directory;
  const std::string dir = directory.path().string();
  ASSERT_EQ(std::system(("git -C '" + dir + "' init -q && git -C '" + dir +
                         "' -c user.name=t -c user.email=t@localhost commit -q --allow-empty "
                         "-m first").c_str()),
            0);
  const std::string commit = project_commit(dir);
  EXPECT_EQ(commit.size(), 7u) << commit;
  EXPECT_EQ(project_commit(dir, "given"), "given");
  EXPECT_EQ(project_commit((directory.path() / "no-such-dir").string()), "");
}

}  // namespace
}  // namespace leakgate::reports::testing
