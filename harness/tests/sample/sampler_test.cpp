// The sampler against a real child process, a real counter file and this process's registry.
#include "sample/sampler.h"
#include "sample/timeline_file.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <sched.h>

#include "../support/test_dir.h"
#include "judge/unread_reasons.h"
#include "leakgate/accounted.h"
#include "leakgate/heap_stats.h"

namespace leakgate {
namespace {

// A child that only waits to be killed: the "daemon" whose /proc figures are sampled.
class SleepingChild {
 public:
  SleepingChild() : pid_(fork()) {
    if (pid_ == 0) {
      for (;;) pause();
    }
  }
  ~SleepingChild() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  SleepingChild(const SleepingChild&) = delete;
  SleepingChild& operator=(const SleepingChild&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

class SamplerTest : public ::testing::Test {
 protected:
  SamplerTest() : publisher_(dir_.file("counters")) {}

  // Points the sampler at the child, with this process's counter file as the daemon's.
  void attach(Sampler& sampler) const {
    CounterSource source;
    source.kind = CounterSource::Kind::kShm;
    source.counter_path = dir_.file("counters");
    sampler.attach_daemon(child_.pid(), source);
  }

  // n live objects of `kind`, released when the vector goes.
  static std::vector<Accounted> hold(ResourceKind& kind, int n) {
    std::vector<Accounted> held;
    for (int i = 0; i < n; ++i) held.emplace_back(kind);
    return held;
  }

  SleepingChild child_;  // forked first: before the publisher's and sampler's threads
  testing::TestDir dir_;
  CounterPublisher publisher_;  // this process's registry, read back as the "daemon's" kinds
};

TEST_F(SamplerTest, AnAskedForSampleHasEveryFigure) {
  ASSERT_GT(child_.pid(), 0);
  const auto held = hold(kind("sampler_test.widgets"), 2);

  Sampler sampler(1000, Sampler::Clock::now());
  attach(sampler);
  const Frame frame = sampler.sample_now(false);

  const auto child = ProcessProbe(child_.pid()).sample({});
  ASSERT_TRUE(child.has_value());
  EXPECT_EQ(frame.at("daemon.fds"), child->fds);
  EXPECT_EQ(frame.at("daemon.threads"), 1);
  EXPECT_GT(frame.at("daemon.rss"), 0);
  EXPECT_EQ(frame.at("daemon.sampler_test.widgets"), 2);  // from the counter file
  EXPECT_EQ(frame.at("client.sampler_test.widgets"), 2);  // from the registry
  EXPECT_GT(frame.at("client.fds"), 2);
  EXPECT_EQ(frame.count("client.heap"), current_heap_bytes().has_value() ? 1u : 0u);
  EXPECT_EQ(frame.count("daemon.fds.socket"), 0u);  // classified only when asked

  const Frame classified = sampler.sample_now(true);
  EXPECT_EQ(classified.at("daemon.fds.socket") + classified.at("daemon.fds.pipe") +
                classified.at("daemon.fds.file") + classified.at("daemon.fds.anon") +
                classified.at("daemon.fds.other"),
            classified.at("daemon.fds"));
  EXPECT_EQ(sampler.timeline().size(), 2u);
}

TEST_F(SamplerTest, ProcFiguresWinOverSameNamedCounterKinds) {
  // The preload library publishes a kind "fds" (the fds it saw opened): /proc stays the
  // figure of record on both sides.
  const auto held = hold(kind("fds"), 50);

  Sampler sampler(1000, Sampler::Clock::now());
  attach(sampler);
  const Frame frame = sampler.sample_now(false);
  EXPECT_EQ(frame.at("daemon.fds"), ProcessProbe(child_.pid()).sample({})->fds);
  EXPECT_NE(frame.at("daemon.fds"), 50);
  EXPECT_NE(frame.at("client.fds"), 50);
}

TEST_F(SamplerTest, TheThreadSamplesAndReadsTheHeapOnlyAtTheSlowRate) {
  Sampler sampler(1000, Sampler::Clock::now());
  attach(sampler);
  // Every row of the thread goes to the full-resolution file too: read back from there.
  const std::string file = ::testing::TempDir() + "sampler-test-" + std::to_string(getpid());
  std::string error;
  ASSERT_TRUE(sampler.stream_timeline_to(file, error)) << error;
  sampler.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (sampler.thread_ticks() < 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  sampler.stop();
  const int64_t ticks = sampler.thread_ticks();
  ASSERT_GE(ticks, 200) << "the sampler thread did not run";
  EXPECT_GT(sampler.thread_cpu_seconds(), 0);

  const Timeline timeline = sampler.timeline();  // flushes the file
  ASSERT_EQ(static_cast<int64_t>(timeline.size()), ticks);
  TimelineFileReader reader(file);
  TimelineFileReader::Row row;
  std::vector<std::vector<double>> rows;
  while (reader.next(row)) rows.push_back(row.values);
  std::remove(file.c_str());
  ASSERT_EQ(static_cast<int64_t>(rows.size()), ticks);
  const auto column = [&](const std::string& name) {
    const auto& names = reader.columns();
    return static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  const size_t fds = column("daemon.fds");
  for (const auto& values : rows) EXPECT_FALSE(std::isnan(values.at(fds)));
  if (!current_heap_bytes()) GTEST_SKIP() << "no tcmalloc: no client.heap figure";
  // tcmalloc's figure costs ~10 us: every 50th tick at 1 kHz (20 Hz), not every tick.
  const size_t heap = column("client.heap");
  int64_t heap_rows = 0;
  for (const auto& values : rows) heap_rows += heap < values.size() && !std::isnan(values[heap]);
  EXPECT_GE(heap_rows, ticks / 50);
  EXPECT_LE(heap_rows, ticks / 50 + 1);
}

const SourceState* find(const std::vector<SourceState>& sources, const std::string& name) {
  for (const SourceState& source : sources)
    if (source.name == name) return &source;
  return nullptr;
}

TEST_F(SamplerTest, SourcesThatDeliveredAreLive) {
  Sampler sampler(0, Sampler::Clock::now());
  attach(sampler);
  (void)sampler.sample_now(false);
  const auto sources = sampler.sources();
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].name, "/proc");
  EXPECT_TRUE(sources[0].live);
  EXPECT_EQ(sources[1].name, "counter file");
  EXPECT_TRUE(sources[1].live);
  EXPECT_EQ(sources[1].reason, "");
}

TEST_F(SamplerTest, SourcesThatDeliveredNothingSayWhy) {
  Sampler sampler(0, Sampler::Clock::now());
  CounterSource missing;
  missing.kind = CounterSource::Kind::kShm;
  missing.counter_path = dir_.file("never-written");
  missing.preload = true;
  sampler.attach_daemon(child_.pid(), missing);
  (void)sampler.sample_now(false);
  auto sources = sampler.sources();
  ASSERT_NE(find(sources, "counter file"), nullptr);
  EXPECT_FALSE(find(sources, "counter file")->live);
  EXPECT_EQ(find(sources, "counter file")->reason.rfind("counter file never appeared", 0), 0u);
  ASSERT_NE(find(sources, "preload heap"), nullptr);
  EXPECT_FALSE(find(sources, "preload heap")->live);

  // The file appears (a restart): live from then on, for the rest of the run.
  CounterSource file;
  file.kind = CounterSource::Kind::kShm;
  file.counter_path = dir_.file("counters");
  sampler.attach_daemon(child_.pid(), file);
  (void)sampler.sample_now(false);
  sources = sampler.sources();
  EXPECT_TRUE(find(sources, "counter file")->live);
  EXPECT_EQ(find(sources, "counter file")->reason, "");

  // A scrape of a port nobody listens on.
  Sampler scraping(0, Sampler::Clock::now());
  CounterSource scrape;
  scrape.kind = CounterSource::Kind::kPrometheus;
  scrape.endpoint = "http://127.0.0.1:1";
  scrape.scrape_path = "/metrics";
  scraping.attach_daemon(child_.pid(), scrape);
  (void)scraping.sample_now(false);
  sources = scraping.sources();
  ASSERT_NE(find(sources, "prometheus scrape /metrics"), nullptr);
  EXPECT_FALSE(find(sources, "prometheus scrape /metrics")->live);
  EXPECT_EQ(find(sources, "prometheus scrape /metrics")->reason,
            "scrape of /metrics failed: could not connect (connection refused)");
  // The reasons the evaluation gives for figures of those sources.
  const UnreadReasons unread = unread_reasons(sources, std::nullopt, Scenario{});
  EXPECT_EQ(unread.metrics.at("daemon.engines"),
            "scrape of /metrics failed: could not connect (connection refused)");
  EXPECT_EQ(unread.metrics.at("daemon.heap"),
            "scrape of /metrics failed: could not connect (connection refused)");
  EXPECT_EQ(*unread.daemon_at_exit,
            "no at-exit figure: a scrape ends with the daemon (a counter file outlives it)");
}

TEST(UnreadReasons, FromTheSources) {
  const std::vector<SourceState> shm = {{"/proc", true, ""}, {"counter file", true, ""}};
  UnreadReasons unread = unread_reasons(shm, std::nullopt, Scenario{});
  EXPECT_EQ(unread.metrics.at("daemon.heap"),
            "no heap figure: the daemon runs without tcmalloc or the preload library");
  EXPECT_EQ(unread.metrics.at("daemon.engines"), "the counter file never listed the kind engines");
  EXPECT_FALSE(unread.daemon_at_exit);
  unread = unread_reasons(shm, "stopped by SIGTERM without a handler", Scenario{});
  EXPECT_EQ(*unread.daemon_at_exit, "stopped by SIGTERM without a handler");
  const std::vector<SourceState> none = {{"/proc", true, ""}};
  unread = unread_reasons(none, std::nullopt, Scenario{});
  EXPECT_EQ(unread.metrics.at("daemon.heap"), "no heap figure: daemon.counters is none");
  EXPECT_EQ(unread.metrics.at("daemon.pss"), "pss is not sampled (no source reads smaps_rollup)");
  // No source states recorded at all: evaluate()'s generic reason.
  EXPECT_TRUE(unread_reasons({}, std::nullopt, Scenario{}).metrics.empty());
}

TEST(SamplingLateNote, OnlyWhenATickCameMoreThan100MsLate) {
  EXPECT_FALSE(sampling_late_note(0.1, 0, 1000).has_value());
  const auto note = sampling_late_note(0.312, 850, 1000);
  ASSERT_TRUE(note.has_value());
  EXPECT_NE(note->find("312 ms late"), std::string::npos) << *note;
  EXPECT_NE(note->find("850 of 1000 ticks"), std::string::npos) << *note;
}

// The scheduling policy of each of this process's threads, from /proc/self/task/*/stat.
std::vector<int> thread_policies() {
  std::vector<int> policies;
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return policies;
  while (const dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream stat(std::string("/proc/self/task/") + entry->d_name + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(text.substr(close + 2));  // field 3 (state) onwards
    std::string field;
    for (int n = 3; n <= 41 && fields >> field; ++n) {
      if (n == 41) policies.push_back(std::stoi(field));
    }
  }
  closedir(tasks);
  return policies;
}

TEST_F(SamplerTest, TicksComeFromAnIdlePriorityThread) {
  Sampler sampler(1000, Sampler::Clock::now());
  attach(sampler);
  const auto before = thread_policies();
  EXPECT_EQ(std::count(before.begin(), before.end(), SCHED_IDLE), 0);
  sampler.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (sampler.thread_ticks() < 20 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto during = thread_policies();
  sampler.stop();
  EXPECT_EQ(std::count(during.begin(), during.end(), SCHED_IDLE), 1);
  EXPECT_EQ(during.size(), before.size() + 2);  // the idle ticker and its normal stand-in
}

// With every CPU busy, an idle-priority thread gets ~30 ticks a second: the normal thread
// must take over, so the rate holds.
TEST_F(SamplerTest, SaturatedCpusHandTheTicksToTheNormalThread) {
  Sampler sampler(1000, Sampler::Clock::now());
  attach(sampler);
  sampler.start();
  std::atomic<bool> spin{true};
  std::vector<std::thread> spinners;
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  const int64_t ticks_before = sampler.thread_ticks();
  for (unsigned i = 0; i < 2 * cpus; ++i) {
    spinners.emplace_back([&spin] {
      while (spin.load(std::memory_order_relaxed)) {
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const int64_t saturated_ticks = sampler.thread_ticks() - ticks_before;
  spin = false;
  for (auto& t : spinners) t.join();
  sampler.stop();

  // The idle thread alone gets ~20 ticks in this window: only the normal thread's watch hands
  // the turn over. With it, 1300-1450 ticks on a quiet machine (the longest gap ~25 ms, the
  // watch period, in 9 runs of 10) and ~400 under ASan beside another ctest job.
  EXPECT_GE(saturated_ticks, 150) << "1.5 s at 1 kHz on saturated CPUs";
  EXPECT_GE(sampler.normal_priority_ticks(), saturated_ticks / 2);
  EXPECT_GT(sampler.max_late_seconds(), 0.005);  // the idle thread was starved at least once
}

}  // namespace
}  // namespace leakgate
