// Crash consistency: trackerd is killed with SIGKILL at a random moment in each of 20 rounds of
// up to 1,000 concurrent writes. After every restart the database passes PRAGMA
// integrity_check (read with the sqlite3 API, not through trackerd) and every acknowledged
// write -- a 201 create or a 200 update -- is there. Seed: LEAKGATE_SEED=N reproduces a run.
#include <sqlite3.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "daemon_test.h"

namespace tracker::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kRounds = 20;
constexpr int kMaxWritesPerRound = 1000;
constexpr int kWriters = 4;

struct Expected {
  std::string title;  // acknowledged
  std::string maybe;  // an update in flight at the kill: it may or may not have committed
};

class Database {
 public:
  explicit Database(const std::filesystem::path& path) {
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK) throw std::runtime_error("sqlite3_open_v2 " + path.string());
  }
  // Every row's first column as text, the second column too if there is one.
  std::vector<std::pair<std::string, std::string>> rows(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string(sql) + ": " + sqlite3_errmsg(db_.get()));
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, sqlite3_finalize);
    std::vector<std::pair<std::string, std::string>> out;
    while (sqlite3_step(raw) == SQLITE_ROW) {
      const auto text = [raw](int column) {
        const auto* value = sqlite3_column_text(raw, column);
        return value ? std::string(reinterpret_cast<const char*>(value)) : std::string();
      };
      out.emplace_back(text(0), sqlite3_column_count(raw) > 1 ? text(1) : std::string());
    }
    return out;
  }

 private:
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db_{nullptr, sqlite3_close};
};

uint64_t seed_from_environment() {
  if (const char* text = std::getenv("LEAKGATE_SEED"); text != nullptr && *text != '\0') {
    return std::strtoull(text, nullptr, 10);
  }
  return std::random_device{}();
}

class CrashConsistency : public DaemonTest {
 protected:
  // One writer: creates issues and, every fourth write, renames its latest one, until the
  // round's budget is used up or the daemon dies under it.
  void write(int round, int writer, std::atomic<int>& budget, std::atomic<int>& acknowledged) {
    Client tracker = client();
    int64_t latest = 0;
    for (int n = 0; budget.fetch_sub(1) > 0; ++n) {
      const std::string title =
          "r" + std::to_string(round) + "w" + std::to_string(writer) + "n" + std::to_string(n);
      if (latest != 0 && n % 4 == 3) {
        IssuePatch patch;
        patch.title = title;
        try {
          tracker.update(latest, patch);
        } catch (const ClientError&) {
          std::lock_guard lock(mutex_);
          expected_[latest].maybe = title;
          return;
        }
        std::lock_guard lock(mutex_);
        expected_[latest].title = title;
      } else {
        NewIssue issue;
        issue.title = title;
        try {
          latest = tracker.create(issue).id;
        } catch (const ClientError&) {
          return;  // killed mid-request: never acknowledged, may or may not exist
        }
        std::lock_guard lock(mutex_);
        expected_[latest] = Expected{title, {}};
      }
      ++acknowledged;
    }
  }

  // Writes until `kill_after` writes were acknowledged (or the budget is spent), then SIGKILL.
  int run_round(int round, int kill_after, std::chrono::microseconds extra_delay) {
    std::atomic<int> budget{kMaxWritesPerRound}, acknowledged{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] { write(round, w, budget, acknowledged); });
    }
    while (acknowledged < kill_after && budget > 0) std::this_thread::sleep_for(100us);
    std::this_thread::sleep_for(extra_delay);  // so the kill is not in step with an answer
    daemon().kill_hard();
    for (auto& writer : writers) writer.join();
    return acknowledged;
  }

  void expect_consistent_and_complete(int round) {
    Database db(db_);
    const auto integrity = db.rows("PRAGMA integrity_check");
    ASSERT_EQ(integrity.size(), 1u);
    EXPECT_EQ(integrity[0].first, "ok") << "round " << round;
    EXPECT_TRUE(db.rows("PRAGMA foreign_key_check").empty()) << "round " << round;
    std::map<int64_t, std::string> stored;
    for (const auto& [id, title] : db.rows("SELECT id, title FROM issues")) {
      stored[std::stoll(id)] = title;
    }
    int lost = 0;
    std::lock_guard lock(mutex_);
    for (const auto& [id, expected] : expected_) {
      const auto found = stored.find(id);
      const bool ok =
          found != stored.end() && (found->second == expected.title ||
                                    (!expected.maybe.empty() && found->second == expected.maybe));
      if (!ok && ++lost <= 5) {
        ADD_FAILURE() << "round " << round << ": acknowledged issue " << id << " '"
                      << expected.title << "' is "
                      << (found == stored.end() ? "missing" : "'" + found->second + "'");
      }
    }
    EXPECT_EQ(lost, 0) << "acknowledged writes lost in round " << round;
    for (auto& [id, expected] : expected_) {  // settle what the database now says
      if (!expected.maybe.empty() && stored[id] == expected.maybe) expected.title = expected.maybe;
      expected.maybe.clear();
    }
  }

  std::mutex mutex_;
  std::map<int64_t, Expected> expected_;
};

TEST_F(CrashConsistency, KillNineDuringWritesLosesNoAcknowledgedWrite) {
  const uint64_t seed = seed_from_environment();
  RecordProperty("seed", std::to_string(seed));
  std::printf("crash consistency: LEAKGATE_SEED=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int> kill_after(1, kMaxWritesPerRound);
  std::uniform_int_distribution<int> delay_us(0, 2000);

  start();
  int total = 0;
  for (int round = 0; round < kRounds; ++round) {
    const int acknowledged =
        run_round(round, kill_after(random), std::chrono::microseconds(delay_us(random)));
    total += acknowledged;
    ASSERT_NO_THROW(start()) << "trackerd did not restart after kill -9 in round " << round;
    expect_consistent_and_complete(round);
    if (HasFatalFailure()) return;
  }
  // The daemon serves what the file holds: a sample through the API.
  Client tracker = client();
  for (const auto& [id, expected] : expected_) {
    if (id % 97 == 0) {
      EXPECT_EQ(tracker.get(id).title, expected.title) << "issue " << id;
    }
  }
  std::printf("crash consistency: %d rounds, %d acknowledged writes, %zu issues checked\n", kRounds,
              total, expected_.size());
  RecordProperty("acknowledged_writes", total);
  EXPECT_GT(total, kRounds) << "the writers hardly wrote: the test proved little";
}

}  // namespace
}  // namespace tracker::testing
