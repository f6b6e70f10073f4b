// The sync loop's export, streamed one issue at a time, against the document it replaces.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "storage/engine.h"
#include "sync_loop.h"
#include "test_dir.h"
#include "tracker/issue_json.h"

namespace tracker {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What the export was before it streamed: the whole document built in memory, then dumped.
std::string whole_document(const std::vector<Issue>& issues, const Stats& stats) {
  nlohmann::json list = nlohmann::json::array();
  for (const Issue& issue : issues) list.push_back(to_json(issue));
  return nlohmann::json{{"stats", to_json(stats)}, {"issues", std::move(list)}}.dump(1) + "\n";
}

class ExportTest : public ::testing::Test {
 protected:
  // Streams `engine` into the export as the sync loop does; returns the stats written.
  Stats export_from(Engine& engine) {
    ExportFile out(export_);
    Stats stats = engine.snapshot([&](const Issue& issue) { out.add(issue); });
    stats.ticks = 7;
    stats.snapshot_at_ms = 1234;
    out.commit(stats);
    return stats;
  }

  std::vector<Issue> all(Engine& engine) {
    std::vector<Issue> issues;
    engine.snapshot([&](const Issue& issue) { issues.push_back(issue); });
    return issues;
  }

  leakgate::testing::TestDir dir_{"trk"};
  const std::filesystem::path export_ = dir_ / "export.json";
};

TEST_F(ExportTest, EmptyTableMatchesTheWholeDocument) {
  Engine engine(dir_ / "t.db");
  const Stats stats = export_from(engine);
  EXPECT_EQ(read_file(export_), whole_document({}, stats));
}

TEST_F(ExportTest, StreamedTextIsByteForByteTheWholeDocument) {
  Engine engine(dir_ / "t.db");
  NewIssue issue;
  issue.body = "line one\nline two \"quoted\" \\ tab\t and \xc3\xa9";  // escapes and UTF-8
  issue.labels = {"bug", "ui"};
  for (int i = 0; i < 300; ++i) {  // more than the 64 KiB write buffer
    issue.title = "issue " + std::to_string(i) + std::string(200, 'x');
    issue.priority = i % 5;
    engine.create(issue);
  }
  IssuePatch close;
  close.status = Status::kClosed;
  engine.update(3, close);
  const Stats stats = export_from(engine);
  const std::string text = read_file(export_);
  EXPECT_GT(text.size(), size_t{64 * 1024});
  EXPECT_EQ(text, whole_document(all(engine), stats));
  EXPECT_EQ(nlohmann::json::parse(text)["stats"]["closed"], 1);
}

TEST_F(ExportTest, AFailedExportThrowsAndLeavesNoTempFile) {
  Engine engine(dir_ / "t.db");
  engine.create(NewIssue{.title = "kept"});
  const auto unwritable = dir_ / "missing-dir" / "export.json";
  ExportFile out(unwritable);
  engine.snapshot([&](const Issue& issue) { out.add(issue); });
  EXPECT_THROW(out.commit(Stats{}), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(unwritable));

  {
    ExportFile abandoned(export_);  // never committed: the old export stays, no temp file
    abandoned.add(all(engine).front());
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
  }
  EXPECT_FALSE(std::filesystem::exists(export_));
}

}  // namespace
}  // namespace tracker
