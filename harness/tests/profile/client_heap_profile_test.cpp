// `leakgate run --profile client-heap`: the harness process profiles its own heap (where
// client steps run). Real processes: the leakgate executables, trackerd, google-pprof.
// The client leak is real too: `daemon.inject: [session-per-call]` makes the harness's
// tracker::Client open a new HTTP session per call and never close it.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include "../support/test_dir.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kIterations = 10;  // 2 client calls each: 20 leaked sessions
const std::string kScenario =
    std::string(LEAKGATE_SOURCE_DIR) + "/scenarios/regressions/session-per-call.yaml";

struct LeakgateRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
  json result;         // result.json, or discarded
  fs::path test_dir;   // the test's report directory
};

class ClientHeapProfile : public ::testing::Test {
 protected:
  // `<leakgate> run session-per-call.yaml --iterations N <extra>`, output into a file.
  LeakgateRun leakgate_run(const char* leakgate, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        leakgate,       "run",
        kScenario,      "--quiet",
        "--iterations", std::to_string(kIterations),
        "--report-dir", (dir_.path() / "reports").string(),
        "--var",        std::string("TRACKERD=") + LEAKGATE_TEST_TRACKERD};
    args.insert(args.end(), extra.begin(), extra.end());
    const fs::path output = dir_.path() / "output.txt";
    const pid_t child = fork();
    if (child == 0) {
      const int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) _exit(126);
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(leakgate, argv.data());
      _exit(127);
    }
    LeakgateRun result;
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child) return result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::ifstream out(output);
    std::ostringstream text;
    text << out.rdbuf();
    result.output = text.str();
    result.test_dir = dir_.path() / "reports" / "leak.regression.session-per-call";
    std::ifstream in(result.test_dir / "result.json");
    result.result = json::parse(in, nullptr, false);
    return result;
  }

  const leakgate::testing::TestDir dir_{"client-heap-test"};  // removed when the test ends
};

// Sane sites: named, positive bytes, non-negative objects, largest first.
void expect_sane_sites(const json& sites) {
  ASSERT_TRUE(sites.is_array());
  for (size_t i = 0; i < sites.size(); ++i) {
    EXPECT_FALSE(sites[i]["function"].get<std::string>().empty()) << sites[i];
    EXPECT_GT(sites[i]["bytes"].get<int64_t>(), 0) << sites[i];
    EXPECT_GE(sites[i]["objects"].get<int64_t>(), 0) << sites[i];
    if (i > 0) {
      EXPECT_GE(sites[i - 1]["bytes"], sites[i]["bytes"]) << sites;
    }
  }
}

TEST_F(ClientHeapProfile, SessionPerCallNamesTheHttpClientAsTopGrowth) {
  const LeakgateRun run = leakgate_run(LEAKGATE_TEST_LEAKGATE, {"--profile", "client-heap"});
  ASSERT_TRUE(run.result.is_object()) << run.output;
  EXPECT_EQ(run.exit_code, 0) << run.output;  // the regression's expected violations
  const json& attribution = run.result["attribution"];
  EXPECT_TRUE(attribution["heap_growth"].is_null()) << "the daemon was not profiled";
  EXPECT_FALSE(attribution.contains("client_heap_growth_error")) << attribution;
  const json& sites = attribution["client_heap_growth"];
  expect_sane_sites(sites);
  ASSERT_FALSE(sites.empty()) << run.output;
  // Each leaked tracker::Session holds an httplib::Client, whose constructor allocates its
  // implementation once: one object per measured call.
  EXPECT_EQ(sites[0]["function"], "httplib::Client::Client") << sites;
  EXPECT_EQ(sites[0]["objects"], 2 * kIterations) << sites;
  const auto bytes = sites[0]["bytes"].get<int64_t>();
  EXPECT_EQ(bytes % (2 * kIterations), 0) << "not one size per session: " << sites[0];
  EXPECT_GE(attribution["client_heap_growth_total"].get<double>(), bytes);
  EXPECT_TRUE(fs::exists(run.test_dir / "client-heap-growth.txt"));
  EXPECT_EQ(run.result["daemon"]["files"]["client-heap-growth.txt"], "client-heap-growth.txt");
}

// The same steps without the fault: the client side grows at most by a few hundred bytes of
// the harness's own bookkeeping (the leaking run grows ~30 KiB), never at an HTTP client.
// Both sides profiled.
TEST_F(ClientHeapProfile, CleanClientGrowsNoHttpSite) {
  const LeakgateRun run =
      leakgate_run(LEAKGATE_TEST_LEAKGATE, {"--no-inject", "--profile", "heap,client-heap"});
  ASSERT_TRUE(run.result.is_object()) << run.output;
  EXPECT_EQ(run.exit_code, 1) << "--no-inject must miss the expected violations";
  const json& attribution = run.result["attribution"];
  EXPECT_TRUE(attribution["heap_growth"].is_array()) << "the daemon was profiled too";
  EXPECT_FALSE(attribution.contains("client_heap_growth_error")) << attribution;
  const json& sites = attribution["client_heap_growth"];
  expect_sane_sites(sites);
  EXPECT_LT(attribution["client_heap_growth_total"].get<double>(), 4096) << sites;
  for (const json& site : sites) {
    const std::string function = site["function"];
    EXPECT_EQ(function.find("httplib"), std::string::npos) << sites;
    EXPECT_EQ(function.find("tracker::"), std::string::npos) << sites;
  }
}

// leakgate-system-malloc links no tcmalloc: the run still passes, and says why there is no
// client profile instead of reporting that nothing grew.
TEST_F(ClientHeapProfile, WithoutTheProfilerTheRunSaysWhy) {
  const LeakgateRun run =
      leakgate_run(LEAKGATE_TEST_LEAKGATE_SYSTEM_MALLOC, {"--profile", "client-heap"});
  ASSERT_TRUE(run.result.is_object()) << run.output;
  EXPECT_EQ(run.exit_code, 0) << run.output;
  const json& attribution = run.result["attribution"];
  EXPECT_EQ(attribution["client_heap_growth"], json::array());
  EXPECT_NE(attribution.value("client_heap_growth_error", "").find("no heap profiler"),
            std::string::npos)
      << attribution;
  EXPECT_NE(run.output.find("note: client heap profile at the start: this harness has no heap "
                            "profiler"),
            std::string::npos)
      << run.output;
}

}  // namespace
