#include "leakgate/counter_file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "leakgate/accounted.h"
#include "leakgate/live_dump.h"
#include "../support/test_dir.h"

namespace leakgate {
namespace {

const KindSnapshot& must_find(const CounterSnapshot& snap, std::string_view name) {
  const KindSnapshot* k = snap.find(name);
  if (k == nullptr) throw std::runtime_error("kind not in file: " + std::string(name));
  return *k;
}

TEST(CounterFile, PublishesExistingAndLaterKindsOnEveryUpdate) {
  testing::TestDir dir;
  const std::string path = dir.file("counters");
  ResourceKind& before = kind("counter_test.before");
  Accounted held(before);

  CounterPublisher publisher(path);
  auto reader = CounterFileReader::open(path);
  ASSERT_TRUE(reader.has_value());
  auto snap = reader->read();
  EXPECT_EQ(snap.pid, getpid());
  EXPECT_FALSE(snap.exited);
  EXPECT_EQ(must_find(snap, "counter_test.before").live, 1);

  ResourceKind& after = kind("counter_test.after");
  {
    Accounted a(after), b(after), c(after);
    snap = reader->read();
    EXPECT_EQ(must_find(snap, "counter_test.after").live, 3);
  }
  snap = reader->read();
  const KindSnapshot& k = must_find(snap, "counter_test.after");
  EXPECT_EQ(k.live, 0);
  EXPECT_EQ(k.created, 3);
  EXPECT_EQ(k.peak, 3);
}

TEST(CounterFile, PiecewiseReadAgreesWithTheSnapshot) {
  testing::TestDir dir;
  const std::string path = dir.file("counters");
  ResourceKind& k = kind("counter_test.piecewise");
  Accounted a(k), b(k);
  CounterPublisher publisher(path);
  auto reader = CounterFileReader::open(path);
  ASSERT_TRUE(reader.has_value());
  const CounterSnapshot snap = reader->read();
  ASSERT_EQ(reader->kind_count(), snap.kinds.size());
  bool seen = false;
  for (size_t i = 0; i < snap.kinds.size(); ++i) {
    EXPECT_EQ(reader->kind_name(i), snap.kinds[i].name);
    EXPECT_EQ(reader->kind_live(i), snap.kinds[i].live);
    if (reader->kind_name(i) == "counter_test.piecewise") {
      seen = true;
      EXPECT_EQ(reader->kind_live(i), 2);
    }
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(reader->heap_bytes().has_value(), snap.heap.has_value());
}

TEST(CounterFile, StaysReadableAfterPublisherEnds) {
  testing::TestDir dir;
  const std::string path = dir.file("counters");
  ResourceKind& k = kind("counter_test.at_exit");
  std::vector<Accounted> kept;
  {
    CounterPublisher publisher(path);
    kept.emplace_back(k);
    kept.emplace_back(k);
  }
  kept.clear();  // after the publisher is gone: not in the file
  auto reader = CounterFileReader::open(path);
  ASSERT_TRUE(reader.has_value());
  const auto snap = reader->read();
  EXPECT_TRUE(snap.exited);
  EXPECT_EQ(must_find(snap, "counter_test.at_exit").live, 2);
  EXPECT_EQ(must_find(snap, "counter_test.at_exit").created, 2);
}

TEST(CounterFile, ConcurrentUpdatesEndExact) {
  testing::TestDir dir;
  const std::string path = dir.file("counters");
  CounterPublisher publisher(path);
  ResourceKind& k = kind("counter_test.concurrent");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&k] {
      std::vector<Accounted> batch;
      for (int i = 0; i < 5000; ++i) {
        batch.emplace_back(k);
        if (batch.size() > 10) batch.clear();
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto snap = CounterFileReader::open(path)->read();
  EXPECT_EQ(must_find(snap, "counter_test.concurrent").live, 0);
  EXPECT_EQ(must_find(snap, "counter_test.concurrent").created, 20000);
  EXPECT_EQ(must_find(snap, "counter_test.concurrent").peak, k.peak());
}

TEST(CounterFile, ForkedChildDoesNotWriteIntoParentsFile) {
  testing::TestDir dir;
  const std::string path = dir.file("counters");
  ResourceKind& k = kind("counter_test.fork");
  std::optional<CounterPublisher> publisher(std::in_place, path);
  Accounted held(k);
  const pid_t child = fork();
  if (child == 0) {
    // Only what is under test: a forked child of a threaded process must not take locks or
    // allocate (another thread may have held them at fork time).
    Accounted more[5] = {Accounted(k), Accounted(k), Accounted(k), Accounted(k), Accounted(k)};
    publisher.reset();  // must neither join the parent's thread nor mark its file exited
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const auto snap = CounterFileReader::open(path)->read();
  EXPECT_FALSE(snap.exited);
  EXPECT_EQ(must_find(snap, "counter_test.fork").live, 1);
  EXPECT_EQ(must_find(snap, "counter_test.fork").created, 1);
}

TEST(CounterFile, OnlyOnePublisherAtATime) {
  testing::TestDir dir;
  CounterPublisher first(dir.file("a"));
  EXPECT_THROW(CounterPublisher(dir.file("b")), std::logic_error);
}

TEST(CounterFile, UnwritablePathThrowsWithPath) {
  try {
    CounterPublisher publisher("/nonexistent-dir/counters");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/counters"), std::string::npos);
  }
}

TEST(CounterFile, ReaderRejectsMissingAndForeignFiles) {
  testing::TestDir dir;
  EXPECT_FALSE(CounterFileReader::open(dir.file("missing")).has_value());
  std::ofstream(dir.file("garbage")) << std::string(100000, 'x');
  EXPECT_FALSE(CounterFileReader::open(dir.file("garbage")).has_value());
  std::ofstream(dir.file("short")) << "LG";
  EXPECT_FALSE(CounterFileReader::open(dir.file("short")).has_value());
}

TEST(CounterFile, ReaderMovesKeepTheMapping) {
  testing::TestDir dir;
  const std::string path = dir.file("counters");
  CounterPublisher publisher(path);
  auto reader = CounterFileReader::open(path);
  ASSERT_TRUE(reader.has_value());
  CounterFileReader moved = std::move(*reader);
  EXPECT_EQ(moved.read().pid, getpid());
  EXPECT_TRUE(reader->read().kinds.empty());  // moved-from: empty snapshot, no crash
}

TEST(CounterFile, RequestedDumpIsWrittenAndGenerationBumps) {
  testing::TestDir dir;
  const std::string path = dir.file("counters");
  kind("counter_test.dump");
  CounterPublisher publisher(path);
  auto reader = CounterFileReader::open(path);
  ASSERT_TRUE(reader.has_value());
  const uint64_t before = reader->read().dump_generation;
  publisher.request_dump();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (reader->read().dump_generation == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GT(reader->read().dump_generation, before);
  std::ifstream in(live_dump_path(path));
  const auto doc = nlohmann::json::parse(in);
  ASSERT_TRUE(doc.contains("kinds"));
}

TEST(CounterFile, LiveDumpRequestSparesProcessesWithoutTheHandler) {
  testing::TestDir dir;
  const std::string path = dir.file("counters");
  CounterPublisher publisher(path);  // explicit publisher: no SIGUSR2 handler installed
  EXPECT_FALSE(CounterFileReader::open(path)->read().dump_signal);
  // Would kill this test process if it sent SIGUSR2.
  EXPECT_FALSE(request_live_dump(getpid(), path, std::chrono::milliseconds(50)).has_value());
  EXPECT_FALSE(request_live_dump(getpid(), dir.file("missing"), std::chrono::milliseconds(50)));
}

// The publisher's periodic refresh is an hour apart here: only the request can answer.
TEST(CounterFile, HeapRefreshIsAnsweredOnRequest) {
  testing::TestDir dir;
  const std::string path = dir.file("counters");
  CounterPublisher publisher(path, /*heap_interval_ms=*/3'600'000);
  auto reader = CounterFileReader::open(path);
  ASSERT_TRUE(reader.has_value());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(reader->refresh_heap(std::chrono::seconds(10))) << "request " << i;
  }
}

// A publisher that no longer answers (as one built before the request existed never does):
// the wait ends at its timeout and says so.
TEST(CounterFile, HeapRefreshWithoutAPublisherEndsAtTheTimeout) {
  testing::TestDir dir;
  const std::string path = dir.file("counters");
  std::optional<CounterPublisher> publisher(std::in_place, path);
  auto reader = CounterFileReader::open(path);
  ASSERT_TRUE(reader.has_value());
  publisher.reset();
  EXPECT_FALSE(reader->refresh_heap(std::chrono::milliseconds(20)));
}

}  // namespace
}  // namespace leakgate
