// Text full of SQL metacharacters is data, never SQL: it round-trips byte for byte through
// every field, other rows stay untouched, and LIKE wildcards in a search match only themselves.
#include <algorithm>

#include "daemon_test.h"

namespace tracker::testing {
namespace {

const std::string kTitle = "Robert'); DROP TABLE issues;--";
const std::string kBody =
    "\" OR \"\"=\" ; /* comment */ -- \\ \\\\ %_ ' '' `x` [y] ${z} "
    "UNION SELECT * FROM meta; PRAGMA writable_schema=1; \xE2\x80\xA8 \xF0\x9F\x92\xA3";
const std::vector<std::string> kLabels = {"a'b",   "%",  "_",   "--",
                                          "\"q\"", "\\", "[1]", "; DELETE FROM issue_labels"};

std::vector<int64_t> ids_of(const std::vector<Issue>& issues) {
  std::vector<int64_t> ids;
  for (const Issue& issue : issues) ids.push_back(issue.id);
  return ids;
}

class SqlTextRoundTrip : public DaemonTest {
 protected:
  void SetUp() override {
    start();
    NewIssue plain;
    plain.title = "plain neighbour";
    plain.body = "nothing special";
    plain.labels = {"a"};
    plain_ = tracker_.create(plain);
    NewIssue hostile;
    hostile.title = kTitle;
    hostile.body = kBody;
    hostile.labels = kLabels;
    hostile.priority = 1;
    hostile_ = tracker_.create(hostile);
  }

  Client tracker_{"unix:" + socket_.string()};  // connects on first use, after start()
  Issue plain_, hostile_;
};

TEST_F(SqlTextRoundTrip, CreatedFieldsComeBackByteForByte) {
  const Issue got = tracker_.get(hostile_.id);
  EXPECT_EQ(got.title, kTitle);
  EXPECT_EQ(got.body, kBody);
  EXPECT_EQ(got.labels, kLabels);
  EXPECT_EQ(got.priority, 1);
  const Issue neighbour = tracker_.get(plain_.id);
  EXPECT_EQ(neighbour.title, "plain neighbour");
  EXPECT_EQ(neighbour.labels, std::vector<std::string>{"a"});
  EXPECT_EQ(tracker_.list().size(), 2u) << "no row added or dropped";
}

TEST_F(SqlTextRoundTrip, PatchedFieldsComeBackByteForByte) {
  IssuePatch patch;
  patch.title = "x' WHERE 1=1; UPDATE issues SET title='pwned";
  patch.body = "'; DELETE FROM issues WHERE '1'='1";
  patch.labels = std::vector<std::string>{"' OR 1=1 --", "%%"};
  tracker_.update(hostile_.id, patch);
  const Issue got = tracker_.get(hostile_.id);
  EXPECT_EQ(got.title, *patch.title);
  EXPECT_EQ(got.body, *patch.body);
  EXPECT_EQ(got.labels, *patch.labels);
  EXPECT_EQ(tracker_.get(plain_.id).title, "plain neighbour") << "the other row is untouched";
}

TEST_F(SqlTextRoundTrip, HostileLabelsFilterExactly) {
  for (const std::string& label : kLabels) {
    ListQuery query;
    query.label = label;
    EXPECT_EQ(ids_of(tracker_.list(query)), std::vector<int64_t>{hostile_.id}) << label;
  }
  ListQuery injected;
  injected.label = "a' OR '1'='1";
  EXPECT_TRUE(tracker_.list(injected).empty());
}

TEST_F(SqlTextRoundTrip, SearchWildcardsMatchOnlyThemselves) {
  // The neighbour contains none of these characters: a LIKE wildcard left unescaped, or
  // text pasted into SQL, would match it too.
  for (const std::string text : {"%", "_", "%_", "\\", "'", "' OR '1'='1", "--"}) {
    ListQuery query;
    query.text = text;
    const auto ids = ids_of(tracker_.list(query));
    const bool in_hostile =
        kTitle.find(text) != std::string::npos || kBody.find(text) != std::string::npos;
    EXPECT_EQ(ids, in_hostile ? std::vector<int64_t>{hostile_.id} : std::vector<int64_t>{})
        << "q=" << text;
  }
}

}  // namespace
}  // namespace tracker::testing
