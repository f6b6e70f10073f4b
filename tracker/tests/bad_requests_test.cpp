// Bad requests to trackerd: every corpus entry is refused (a 4xx, or the connection closed
// without an answer), the daemon keeps serving, and the stored issues do not change.
#include <set>

#include <nlohmann/json.hpp>

#include "bad_request_corpus.h"
#include "daemon_test.h"
#include "raw_connection.h"

namespace tracker::testing {
namespace {

using namespace std::chrono_literals;

class BadRequestTest : public DaemonTest {
 protected:
  void SetUp() override {
    start();
    for (const char* body : {R"({"title":"seed one","labels":["a"]})",
                             R"({"title":"seed two","body":"50% of 'it'; --","priority":0})",
                             R"({"title":"seed three"})"}) {
      ASSERT_EQ(raw_request(daemon().endpoint(), "POST", "/issues", body).status, 201);
    }
    ASSERT_EQ(
        raw_request(daemon().endpoint(), "PATCH", "/issues/3", R"({"status":"closed"})").status,
        200);
    stored_ = stored_issues();
    ASSERT_EQ(nlohmann::json::parse(stored_)["issues"].size(), 3u);
  }

  // Every stored field of every issue, as the daemon serves them.
  std::string stored_issues() {
    const RawReply reply = raw_request(daemon().endpoint(), "GET", "/issues?limit=1000");
    EXPECT_EQ(reply.status, 200);
    return reply.body;
  }

  void expect_refused(const BadRequest& entry, const RawExchange& reply) {
    const std::string head = reply.response.substr(0, reply.response.find("\r\n\r\n") + 200);
    if (entry.status == kAnyRefusal) {
      EXPECT_TRUE((reply.status >= 400 && reply.status < 500) ||
                  (reply.status == 0 && reply.closed))
          << entry.name << ": status " << reply.status << "\n"
          << head;
    } else {
      EXPECT_EQ(reply.status, entry.status) << entry.name << "\n" << head;
    }
    EXPECT_FALSE(reply.timed_out) << entry.name << ": neither answered nor closed in 10 s";
  }

  void expect_still_serving_and_unchanged(const std::string& after) {
    EXPECT_EQ(raw_request(daemon().endpoint(), "GET", "/health").status, 200)
        << after << ": the daemon stopped serving\n"
        << daemon().log();
    EXPECT_EQ(stored_issues(), stored_) << after << " changed stored data";
  }

  std::string stored_;
};

class BadRequestEach : public BadRequestTest, public ::testing::WithParamInterface<BadRequest> {};

// Harmlessly: refused with the expected status, and the daemon keeps serving with its data
// unchanged. A short name: each corpus entry is a CTest test named after it.
TEST_P(BadRequestEach, IsRefusedHarmlessly) {
  const BadRequest& entry = GetParam();
  expect_refused(entry, send_and_receive(socket_, entry.bytes, entry.status == kAnyRefusal));
  expect_still_serving_and_unchanged(entry.name);
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadRequestEach, ::testing::ValuesIn(bad_request_corpus()),
                         [](const auto& info) { return info.param.name; });

TEST(BadRequestCorpus, HasAtLeastFiftyDistinctEntries) {
  std::set<std::string> names, requests;
  for (const BadRequest& entry : bad_request_corpus()) {
    EXPECT_TRUE(names.insert(entry.name).second) << "duplicate name " << entry.name;
    EXPECT_TRUE(requests.insert(entry.bytes).second) << "duplicate request " << entry.name;
  }
  EXPECT_GE(names.size(), 50u);
}

int64_t settled_fds(pid_t pid) {
  int64_t previous = -1;
  for (int i = 0; i < 100; ++i) {  // closing connections settle within a keep-alive timeout
    const int64_t now = open_fds(pid);
    if (now == previous) return now;
    previous = now;
    std::this_thread::sleep_for(50ms);
  }
  return previous;
}

// The whole corpus back to back on one daemon: no crash, no hang, and every connection the
// bad requests opened is closed again (no fd left behind).
TEST_F(BadRequestTest, WholeCorpusOnOneDaemonLeavesNoConnectionOpen) {
  const int64_t fds_before = settled_fds(daemon().pid());
  for (const BadRequest& entry : bad_request_corpus()) {
    expect_refused(entry, send_and_receive(socket_, entry.bytes, entry.status == kAnyRefusal));
    ASSERT_EQ(raw_request(daemon().endpoint(), "GET", "/health").status, 200)
        << "after " << entry.name << "\n"
        << daemon().log();
  }
  expect_still_serving_and_unchanged("the whole corpus");
  EXPECT_TRUE(eventually([&] { return open_fds(daemon().pid()) <= fds_before; }))
      << "fds before " << fds_before << ", after " << open_fds(daemon().pid());
}

}  // namespace
}  // namespace tracker::testing
