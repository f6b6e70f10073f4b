// The storage engine against a real SQLite file.
#include "storage/engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "leakgate/registry.h"
#include "storage/schema.h"
#include "test_dir.h"

namespace tracker {
namespace {

NewIssue make_issue(std::string title, std::vector<std::string> labels = {}, int priority = 2) {
  NewIssue issue;
  issue.title = std::move(title);
  issue.body = "body of " + issue.title;
  issue.labels = std::move(labels);
  issue.priority = priority;
  return issue;
}

class EngineTest : public ::testing::Test {
 protected:
  leakgate::testing::TestDir dir_{"trk"};
  std::filesystem::path db_ = dir_ / "tracker.db";
};

TEST_F(EngineTest, CreateThenGetReturnsTheSameIssue) {
  Engine engine(db_);
  const Issue created = engine.create(make_issue("first", {"bug", "ui"}, 3));
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.status, Status::kOpen);
  const auto fetched = engine.get(created.id);
  ASSERT_TRUE(fetched);
  EXPECT_EQ(*fetched, created);
  EXPECT_EQ(fetched->labels, (std::vector<std::string>{"bug", "ui"}));
}

TEST_F(EngineTest, GetUnknownIdIsEmpty) {
  Engine engine(db_);
  EXPECT_FALSE(engine.get(42));
}

TEST_F(EngineTest, UpdateChangesOnlyPatchedFields) {
  Engine engine(db_);
  const Issue created = engine.create(make_issue("before", {"a"}));
  IssuePatch patch;
  patch.status = Status::kClosed;
  patch.labels = std::vector<std::string>{"b", "c"};
  const auto updated = engine.update(created.id, patch);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->title, "before");
  EXPECT_EQ(updated->status, Status::kClosed);
  EXPECT_EQ(updated->labels, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(*engine.get(created.id), *updated);
  EXPECT_FALSE(engine.update(created.id + 100, patch));
}

TEST_F(EngineTest, RemoveDeletesIssueAndLabels) {
  Engine engine(db_);
  const Issue created = engine.create(make_issue("doomed", {"x"}));
  EXPECT_TRUE(engine.remove(created.id));
  EXPECT_FALSE(engine.get(created.id));
  EXPECT_FALSE(engine.remove(created.id));
  ListQuery by_label;
  by_label.label = "x";
  EXPECT_TRUE(engine.list(by_label).empty());
}

TEST_F(EngineTest, ListFiltersByStatusLabelAndText) {
  Engine engine(db_);
  const Issue crash = engine.create(make_issue("Crash on start", {"bug"}));
  engine.create(make_issue("Add dark mode", {"feature"}));
  const Issue percent = engine.create(make_issue("100% CPU", {"bug", "perf"}));
  IssuePatch close;
  close.status = Status::kClosed;
  engine.update(percent.id, close);

  ListQuery bugs;
  bugs.label = "bug";
  EXPECT_EQ(engine.list(bugs).size(), 2u);
  bugs.status = Status::kOpen;
  ASSERT_EQ(engine.list(bugs).size(), 1u);
  EXPECT_EQ(engine.list(bugs)[0].id, crash.id);

  ListQuery text;
  text.text = "crash";  // case-insensitive
  EXPECT_EQ(engine.list(text).size(), 1u);
  text.text = "%";  // a literal percent sign, not a wildcard
  ASSERT_EQ(engine.list(text).size(), 1u);
  EXPECT_EQ(engine.list(text)[0].id, percent.id);
}

TEST_F(EngineTest, ListPagesWithLimitAndOffset) {
  Engine engine(db_);
  for (int i = 0; i < 10; ++i) engine.create(make_issue("issue " + std::to_string(i)));
  ListQuery page;
  page.limit = 4;
  page.offset = 8;
  const auto issues = engine.list(page);
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].title, "issue 8");
}

TEST_F(EngineTest, SnapshotCountsWhatTheRowsSay) {
  Engine engine(db_);
  EXPECT_EQ(engine.snapshot().total, 0);
  EXPECT_EQ(engine.snapshot().last_change_ms, 0);
  for (int i = 0; i < 12; ++i) {
    std::vector<std::string> labels{i % 2 == 0 ? "even" : "odd"};
    if (i % 3 == 0) labels.push_back("third");
    engine.create(make_issue("issue " + std::to_string(i), labels));
  }
  IssuePatch close;
  close.status = Status::kClosed;
  engine.update(2, close);
  engine.update(5, close);
  engine.remove(4);  // its labels go with it

  std::vector<Issue> streamed;
  const Stats stats = engine.snapshot([&](const Issue& issue) { streamed.push_back(issue); });
  ListQuery everything;
  everything.limit = kMaxListLimit;
  EXPECT_EQ(streamed, engine.list(everything));  // every row, in id order
  EXPECT_EQ(stats.total, 11);
  EXPECT_EQ(stats.closed, 2);
  EXPECT_EQ(stats.open, 9);
  EXPECT_EQ(stats.labels, (std::map<std::string, int64_t>{{"even", 6}, {"odd", 5}, {"third", 3}}));
  EXPECT_EQ(stats.last_change_ms, engine.last_change_ms());
  EXPECT_EQ(engine.snapshot().labels, stats.labels);  // the same without the rows
}

TEST_F(EngineTest, SnapshotWithAThrowingCallbackLeavesTheEngineWritable) {
  Engine engine(db_);
  engine.create(make_issue("one"));
  EXPECT_THROW(engine.snapshot([](const Issue&) { throw std::runtime_error("disk full"); }),
               std::runtime_error);
  engine.create(make_issue("two"));  // no read transaction or statement left open
  EXPECT_EQ(engine.snapshot().total, 2);
}

TEST_F(EngineTest, MigratesAVersion2DatabaseToTheStatusIndex) {
  {
    Engine engine(db_);
    engine.create(make_issue("old", {"kept"}));
  }
  {
    SqliteConnection connection(db_);  // as trackerd before schema 3 left it
    connection.exec("DROP INDEX issues_by_status");
    connection.exec("PRAGMA user_version = 2");
  }
  Engine engine(db_);
  EXPECT_EQ(engine.schema_version(), 3);
  EXPECT_EQ(engine.integrity_check(), "ok");
  SqliteConnection connection(db_);
  EXPECT_EQ(
      connection.query_int("SELECT COUNT(*) FROM sqlite_master WHERE name = 'issues_by_status'"),
      1);
  EXPECT_EQ(engine.snapshot().labels.at("kept"), 1);
}

TEST_F(EngineTest, DataSurvivesReopen) {
  int64_t id = 0;
  {
    Engine engine(db_);
    id = engine.create(make_issue("durable", {"keep"})).id;
  }
  Engine reopened(db_);
  const auto issue = reopened.get(id);
  ASSERT_TRUE(issue);
  EXPECT_EQ(issue->labels, std::vector<std::string>{"keep"});
  EXPECT_EQ(reopened.integrity_check(), "ok");
  EXPECT_EQ(reopened.schema_version(), kSchemaVersion);
  EXPECT_GT(reopened.last_change_ms(), 0);
}

// A create writes no meta row (the POST path's cost): the newest issue's created_at stands for
// it at open, the meta row for updates and deletes.
TEST_F(EngineTest, LastChangeAfterReopenIsTheLastWriteOfEachKind) {
  const auto reopened_last_change = [this] { return Engine(db_).last_change_ms(); };
  const auto tick = [] { std::this_thread::sleep_for(std::chrono::milliseconds(3)); };
  int64_t expected = 0;
  {
    Engine engine(db_);
    engine.create(make_issue("one"));
    tick();
    engine.create(make_issue("two"));
    expected = engine.last_change_ms();
    EXPECT_EQ(expected, engine.get(2)->created_at_ms);
  }
  EXPECT_EQ(reopened_last_change(), expected);
  {
    Engine engine(db_);
    tick();
    IssuePatch close;
    close.status = Status::kClosed;
    engine.update(1, close);  // not the newest issue: only the meta row knows this time
    expected = engine.last_change_ms();
    EXPECT_GT(expected, engine.get(2)->created_at_ms);
  }
  EXPECT_EQ(reopened_last_change(), expected);
  {
    Engine engine(db_);
    tick();
    engine.remove(2);  // the newest issue, and its created_at with it
    expected = engine.last_change_ms();
    tick();
    engine.create(make_issue("three"));
    EXPECT_GT(engine.last_change_ms(), expected);
    expected = engine.last_change_ms();
  }
  EXPECT_EQ(reopened_last_change(), expected);
}

TEST_F(EngineTest, RefusesDatabaseFromNewerSchema) {
  { Engine engine(db_); }
  {
    SqliteConnection connection(db_);
    connection.exec("PRAGMA user_version = 99");
  }
  EXPECT_THROW(Engine{db_}, StorageError);
}

TEST_F(EngineTest, CountsEnginesAndConnections) {
  const auto& engines = leakgate::kind("engines");
  const auto& connections = leakgate::kind("db_connections");
  const int64_t engines_before = engines.live();
  const int64_t connections_before = connections.live();
  {
    Engine engine(db_);
    EXPECT_EQ(engines.live(), engines_before + 1);
    EXPECT_EQ(connections.live(), connections_before + 1);
  }
  EXPECT_EQ(engines.live(), engines_before);
  EXPECT_EQ(connections.live(), connections_before);
}

TEST_F(EngineTest, ClosesWithoutStrayStatements) {
  // The destructor finalizes its statements before sqlite3_close; a stray would be logged
  // and still finalized. This checks the normal path leaves the connection closable.
  auto engine = std::make_unique<Engine>(db_);
  engine->create(make_issue("x"));
  engine->list(ListQuery{});
  engine.reset();
  SUCCEED();
}

TEST_F(EngineTest, OpeningAnUnwritablePathThrows) {
  EXPECT_THROW(Engine{dir_ / "missing-dir" / "x.db"}, StorageError);
}

}  // namespace
}  // namespace tracker
