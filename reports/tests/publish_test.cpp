// Publishing into a report directory, alone and from concurrent processes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "leakgate/reports/atomic_file.h"
#include "leakgate/reports/publish.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

using nlohmann::json;

TEST(Publish, WritesResultPageIndexAndResultsJson) {
  const TemporaryDirectory directory;
  publish_test_result(directory.path(), load_fixture("passing-issue-crud"),
                      {"run-1", directory.path() / "history.db"});
  for (const char* file : {"leak.issue-crud/result.json", "leak.issue-crud/index.html",
                           "index.html", "results.json", "history.db"}) {
    EXPECT_TRUE(std::filesystem::exists(directory.path() / file)) << file;
  }
  const json results = json::parse(read_text_file(directory.path() / "results.json"));
  EXPECT_EQ(results["schema"], "leakgate.results/1");
  ASSERT_EQ(results["tests"].size(), 1u);
  EXPECT_FALSE(results["tests"][0].contains("timeline"));
  EXPECT_EQ(results["tests"][0]["test"], "leak.issue-crud");
}

// A long run's bounded timeline: the page says what a point is and links the full file.
TEST(Publish, DownsampledTimelineSaysWhatAPointIsAndLinksTheFile) {
  const TemporaryDirectory directory;
  json result = load_fixture("passing-issue-crud");
  publish_test_result(directory.path(), result, {"run-1", {}});
  const std::string note = "consecutive samples";
  EXPECT_EQ(read_text_file(directory.path() / "leak.issue-crud/index.html").find(note),
            std::string::npos);
  result["timeline"]["samples_per_point"] = 16;
  result["timeline"]["samples"] = 40000;
  result["timeline"]["file"] = "timeline.lgt";
  publish_test_result(directory.path(), result, {"run-2", {}});
  const std::string page = read_text_file(directory.path() / "leak.issue-crud/index.html");
  EXPECT_NE(page.find("Each point is the highest of 16 consecutive samples (of 40000;"),
            std::string::npos);
  EXPECT_NE(page.find("<a href=\"timeline.lgt\">timeline.lgt</a>"), std::string::npos);
}

TEST(Publish, RejectsTestNamesThatAreNotADirectoryName) {
  const TemporaryDirectory directory;
  for (const char* name : {"../escape", "a/b", "", ".hidden"}) {
    json result = load_fixture("passing-issue-crud");
    result["test"] = name;
    EXPECT_THROW(publish_test_result(directory.path(), result, {"run-1", {}}), std::runtime_error)
        << name;
  }
}

TEST(Publish, ReportsAnUnwritableDirectoryWithContext) {
  try {
    publish_test_result("/proc/leakgate-cannot-write-here", load_fixture("passing-issue-crud"),
                        {"run-1", {}});
    FAIL() << "expected an error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("leak.issue-crud"), std::string::npos) << error.what();
  }
}

TEST(Publish, ConcurrentProcessesAllAppearInTheIndex) {
  constexpr int kProcesses = 2;
  constexpr int kResultsEach = 20;
  const TemporaryDirectory directory;
  json small = load_fixture("passing-issue-crud");
  small["timeline"]["t_s"] = {0.0, 1.0};
  small["timeline"]["series"] = {{"daemon.rss", {1000, 2000}}};

  std::vector<pid_t> children;
  for (int process = 0; process < kProcesses; ++process) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      int status = 0;
      try {
        for (int i = 0; i < kResultsEach; ++i) {
          json result = small;
          result["test"] = "leak.p" + std::to_string(process) + "-" + std::to_string(i);
          publish_test_result(directory.path(), result,
                              {"run-parallel", directory.path() / "history.db"});
        }
      } catch (const std::exception& error) {
        std::fprintf(stderr, "child %d: %s\n", process, error.what());
        status = 1;
      }
      std::fflush(nullptr);
      ::_exit(status);
    }
    children.push_back(child);
  }
  // A reader polling the outputs must never see a partial file. Started after the forks: a
  // child forked while another thread holds an allocator lock deadlocks (seen under ASan).
  std::atomic<bool> done{false};
  std::atomic<int> partial_reads{0};
  std::thread reader([&] {
    while (!done) {
      try {
        const std::string text = read_text_file(directory.path() / "results.json");
        if (!json::accept(text)) ++partial_reads;
        const std::string index = read_text_file(directory.path() / "index.html");
        if (index.find("</html>") == std::string::npos) ++partial_reads;
      } catch (const std::runtime_error&) {
        // not written yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // leave the CPUs to the writers
    }
  });

  for (const pid_t child : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  done = true;
  reader.join();
  EXPECT_EQ(partial_reads, 0);

  const json results = json::parse(read_text_file(directory.path() / "results.json"));
  EXPECT_EQ(results["tests"].size(), static_cast<std::size_t>(kProcesses * kResultsEach));
  const std::string index = read_text_file(directory.path() / "index.html");
  for (int process = 0; process < kProcesses; ++process) {
    for (int i = 0; i < kResultsEach; ++i) {
      const std::string name = "leak.p" + std::to_string(process) + "-" + std::to_string(i);
      EXPECT_NE(index.find("href=\"" + name + "/index.html\""), std::string::npos) << name;
    }
  }
}

}  // namespace
}  // namespace leakgate::reports::testing
