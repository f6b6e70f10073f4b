// The JSON API end to end: tracker::Client and raw HTTP against a real trackerd.
#include <signal.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "daemon_test.h"

namespace tracker::testing {
namespace {

using nlohmann::json;

class ApiTest : public DaemonTest {
 protected:
  void SetUp() override { start(); }
};

NewIssue new_issue(std::string title, std::vector<std::string> labels = {}) {
  NewIssue issue;
  issue.title = std::move(title);
  issue.body = "details";
  issue.labels = std::move(labels);
  return issue;
}

TEST_F(ApiTest, CrudRoundTrip) {
  Client tracker = client();
  const Issue created = tracker.create(new_issue("Crash on start", {"bug"}));
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(tracker.get(created.id), created);

  IssuePatch patch;
  patch.title = "Crash on start (macOS)";
  patch.status = Status::kClosed;
  const Issue updated = tracker.update(created.id, patch);
  EXPECT_EQ(updated.title, "Crash on start (macOS)");
  EXPECT_EQ(updated.status, Status::kClosed);
  EXPECT_EQ(updated.labels, created.labels);
  EXPECT_EQ(tracker.get(created.id), updated);

  ListQuery closed;
  closed.status = Status::kClosed;
  ASSERT_EQ(tracker.list(closed).size(), 1u);

  tracker.remove(created.id);
  try {
    tracker.get(created.id);
    FAIL() << "a removed issue is still there";
  } catch (const ClientError& error) {
    EXPECT_EQ(error.status(), 404);
  }
  EXPECT_THROW(tracker.remove(created.id), ClientError);
}

TEST_F(ApiTest, ListFiltersAndPages) {
  Client tracker = client();
  for (int i = 0; i < 12; ++i) {
    tracker.create(new_issue("issue " + std::to_string(i), {i % 3 == 0 ? "bug" : "feature"}));
  }
  ListQuery bugs;
  bugs.label = "bug";
  EXPECT_EQ(tracker.list(bugs).size(), 4u);
  ListQuery text;
  text.text = "ISSUE 1";  // issue 1, 10, 11; case-insensitive
  EXPECT_EQ(tracker.list(text).size(), 3u);
  ListQuery page;
  page.limit = 5;
  page.offset = 10;
  EXPECT_EQ(tracker.list(page).size(), 2u);
}

TEST_F(ApiTest, StatsFollowTheSyncLoop) {
  Client tracker = client();
  tracker.create(new_issue("a", {"bug"}));
  tracker.create(new_issue("b", {"bug", "ui"}));
  ASSERT_TRUE(eventually([&] { return tracker.stats().total == 2; }));
  const Stats stats = tracker.stats();
  EXPECT_EQ(stats.open, 2);
  EXPECT_EQ(stats.labels.at("bug"), 2);
  EXPECT_EQ(stats.labels.at("ui"), 1);
  EXPECT_GT(stats.ticks, 0);
  EXPECT_GT(stats.last_change_ms, 0);
  EXPECT_EQ(tracker.health().status, "ok");
  EXPECT_EQ(tracker.health().pid, daemon().pid());
}

TEST_F(ApiTest, ClientErrorsCarryStatusMessageAndField) {
  Client tracker = client();
  try {
    tracker.create(new_issue(""));
    FAIL() << "an empty title was accepted";
  } catch (const ClientError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_EQ(error.field(), "title");
    EXPECT_FALSE(error.server_message().empty());
  }
}

TEST_F(ApiTest, UnreachableDaemonIsStatusZero) {
  Client nowhere("unix:" + (dir_ / "nobody.sock").string());
  try {
    nowhere.health();
    FAIL() << "reached a daemon that does not exist";
  } catch (const ClientError& error) {
    EXPECT_EQ(error.status(), 0);
  }
}

struct BadRequest {
  const char* name;
  const char* method;
  std::string path;
  std::string body;
  int status;
};

TEST_F(ApiTest, BadInputsGet4xxJsonAndChangeNothing) {
  Client tracker = client();
  const Issue seed = tracker.create(new_issue("seed", {"keep"}));
  const std::string seed_path = "/issues/" + std::to_string(seed.id);
  const std::vector<BadRequest> cases = {
      {"malformed JSON", "POST", "/issues", "{\"title\":", 400},
      {"not an object", "POST", "/issues", "[\"title\"]", 400},
      {"empty body", "POST", "/issues", "", 400},
      {"missing title", "POST", "/issues", R"({"body":"x"})", 400},
      {"empty title", "POST", "/issues", R"({"title":""})", 400},
      {"title too long", "POST", "/issues", json{{"title", std::string(201, 't')}}.dump(), 400},
      {"title wrong type", "POST", "/issues", R"({"title":["a"]})", 400},
      {"labels not array", "POST", "/issues", R"({"title":"x","labels":"bug"})", 400},
      {"label wrong type", "POST", "/issues", R"({"title":"x","labels":[1]})", 400},
      {"priority too high", "POST", "/issues", R"({"title":"x","priority":9})", 400},
      {"priority float", "POST", "/issues", R"({"title":"x","priority":1.5})", 400},
      {"unknown field", "POST", "/issues", R"({"title":"x","owner":"me"})", 400},
      {"invalid UTF-8", "POST", "/issues", "{\"title\":\"\xC3\x28\"}", 400},
      {"huge number", "POST", "/issues", R"({"title":"x","priority":1e999})", 400},
      {"deep nesting", "POST", "/issues", std::string(5000, '[') + std::string(5000, ']'), 400},
      {"body over 1 MiB", "POST", "/issues",
       json{{"title", "x"}, {"body", std::string(1100 * 1024, 'b')}}.dump(), 413},
      {"patch bad status", "PATCH", seed_path, R"({"status":"done"})", 400},
      {"patch empty", "PATCH", seed_path, "{}", 400},
      {"patch unknown id", "PATCH", "/issues/999999", R"({"title":"y"})", 404},
      {"non-numeric id", "GET", "/issues/abc", "", 404},
      {"zero id", "DELETE", "/issues/0", "", 404},
      {"id overflow", "GET", "/issues/99999999999999999999", "", 404},
      {"bad limit", "GET", "/issues?limit=0", "", 400},
      {"bad status filter", "GET", "/issues?status=maybe", "", 400},
      {"unknown parameter", "GET", "/issues?sort=id", "", 400},
      {"unknown route", "GET", "/nowhere", "", 404},
      {"wrong method", "PUT", "/issues", "{}", 405},
  };
  for (const BadRequest& bad : cases) {
    SCOPED_TRACE(bad.name);
    const RawReply reply = raw_request(daemon().endpoint(), bad.method, bad.path, bad.body);
    EXPECT_EQ(reply.status, bad.status) << reply.body;
    const json body = json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << reply.body;
    EXPECT_TRUE(body.contains("error")) << reply.body;
    EXPECT_EQ(tracker.health().status, "ok") << "the daemon keeps serving";
  }
  const auto issues = tracker.list();
  ASSERT_EQ(issues.size(), 1u) << "nothing was created";
  EXPECT_EQ(issues[0], seed) << "nothing was changed";
}

TEST_F(ApiTest, ValidationErrorsNameTheField) {
  const RawReply reply =
      raw_request(daemon().endpoint(), "POST", "/issues", R"({"title":"x","priority":"high"})");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(json::parse(reply.body).at("field"), "priority");
  EXPECT_EQ(reply.content_type, "application/json");
}

TEST_F(ApiTest, MetricsShowOneEngineAndProcessFigures) {
  const RawReply metrics = raw_request(daemon().endpoint(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("leakgate_engines_live 1\n"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("leakgate_db_connections_live 1\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("process_open_fds"), std::string::npos);
  const RawReply resources = raw_request(daemon().endpoint(), "GET", "/debug/resources");
  ASSERT_EQ(resources.status, 200);
  EXPECT_TRUE(json::parse(resources.body, nullptr, false).is_object()) << resources.body;
}

TEST_F(ApiTest, ExportIsRewrittenAtomically) {
  const auto export_path = dir_ / "export.json";
  restart({"--export", export_path.string()});
  Client tracker = client();
  tracker.create(new_issue("exported"));
  ASSERT_TRUE(eventually([&] {
    std::ifstream in(export_path);
    const json document = json::parse(in, nullptr, false);
    return document.is_object() && document["issues"].size() == 1;
  }));
  ASSERT_EQ(daemon().stop(SIGTERM).code, 0);
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << "temp file left behind";
  }
}

}  // namespace
}  // namespace tracker::testing
