// Concurrent clients: 8 threads x 500 operations, one client each; the final state must be
// exactly what the threads did.
#include <map>
#include <thread>

#include "daemon_test.h"

namespace tracker::testing {
namespace {

constexpr int kThreads = 8;
constexpr int kOpsPerThread = 500;

class ConcurrencyTest : public DaemonTest {};

TEST_F(ConcurrencyTest, EightClientsFiveHundredOpsEach) {
  start({"--sync-interval", "10ms"});
  std::vector<std::map<int64_t, Issue>> expected(kThreads);  // each thread's surviving issues
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        Client tracker = client();
        const std::string label = "thread-" + std::to_string(t);
        auto& mine = expected[t];
        int64_t last = 0;
        for (int op = 0; op < kOpsPerThread; ++op) {
          switch (op % 5) {
            case 0:
            case 1: {
              NewIssue issue;
              issue.title = label + " issue " + std::to_string(op);
              issue.labels = {label};
              const Issue created = tracker.create(issue);
              mine[created.id] = created;
              last = created.id;
              break;
            }
            case 2: {
              IssuePatch patch;
              patch.status = Status::kClosed;
              patch.priority = op % 5;
              mine[last] = tracker.update(last, patch);
              break;
            }
            case 3:
              if (tracker.get(last) != mine[last]) throw std::runtime_error("read a stale issue");
              break;
            case 4:
              if (op % 10 == 4) {
                tracker.remove(last);
                mine.erase(last);
              } else {
                ListQuery query;
                query.label = label;
                query.limit = 1000;
                if (tracker.list(query).size() != mine.size()) {
                  throw std::runtime_error("list disagrees with what this thread did");
                }
              }
              break;
          }
        }
      } catch (const std::exception& error) {
        failures[t] = error.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], "") << "thread " << t;

  std::map<int64_t, Issue> all_expected;
  for (const auto& mine : expected) all_expected.insert(mine.begin(), mine.end());
  std::map<int64_t, Issue> actual;
  Client tracker = client();
  for (int offset = 0;; offset += 1000) {
    ListQuery page;
    page.limit = 1000;
    page.offset = offset;
    const auto issues = tracker.list(page);
    for (const Issue& issue : issues) actual[issue.id] = issue;
    if (issues.size() < 1000) break;
  }
  EXPECT_EQ(actual.size(), all_expected.size());
  EXPECT_TRUE(actual == all_expected) << "final state differs from the threads' operations";
  ASSERT_TRUE(eventually(
      [&] { return tracker.stats().total == static_cast<int64_t>(all_expected.size()); }));
  EXPECT_EQ(live("engines"), 1);
}

}  // namespace
}  // namespace tracker::testing
