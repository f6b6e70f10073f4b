// TCP mode: bearer token on every request but /health, token file 0600, loopback only.
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "daemon_test.h"

namespace tracker::testing {
namespace {

class TcpTest : public DaemonTest {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<TrackerdProcess>(
        std::vector<std::string>{"--listen", "127.0.0.1:0", "--token-file", token_file_.string(),
                                 "--db", db_.string()},
        log_);
    token_ = read_token_file(token_file_);
  }
  std::vector<std::pair<std::string, std::string>> bearer(const std::string& token) const {
    return {{"Authorization", "Bearer " + token}};
  }

  const std::filesystem::path token_file_ = dir_ / "token";
  std::string token_;
};

TEST_F(TcpTest, AnnouncesAnHttpEndpointOnAChosenPort) {
  EXPECT_EQ(daemon().endpoint().rfind("http://127.0.0.1:", 0), 0u) << daemon().endpoint();
  EXPECT_NE(daemon().endpoint(), "http://127.0.0.1:0");
}

TEST_F(TcpTest, TokenFileIsPrivateAndRandom) {
  struct stat status {};
  ASSERT_EQ(::stat(token_file_.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
  EXPECT_EQ(token_.size(), 64u);
  EXPECT_EQ(token_.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST_F(TcpTest, HealthNeedsNoToken) {
  EXPECT_EQ(raw_request(daemon().endpoint(), "GET", "/health").status, 200);
}

TEST_F(TcpTest, RequestsWithoutTheTokenAreRefusedAndDoNothing) {
  const std::string body = R"({"title":"sneaky"})";
  for (const auto& headers : {std::vector<std::pair<std::string, std::string>>{},
                              bearer("wrong"),
                              bearer(token_ + "0"),
                              {{"Authorization", token_}}}) {
    const RawReply reply = raw_request(daemon().endpoint(), "POST", "/issues", body, headers);
    EXPECT_EQ(reply.status, 401);
    EXPECT_TRUE(nlohmann::json::parse(reply.body, nullptr, false).contains("error"));
  }
  EXPECT_EQ(raw_request(daemon().endpoint(), "GET", "/issues").status, 401);
  EXPECT_EQ(raw_request(daemon().endpoint(), "POST", "/shutdown").status, 401);
  Client tracker(daemon().endpoint(), token_);
  EXPECT_TRUE(tracker.list().empty()) << "nothing was created";
  EXPECT_EQ(tracker.health().status, "ok") << "and the daemon did not shut down";
}

TEST_F(TcpTest, ClientWithTokenWorks) {
  Client tracker(daemon().endpoint(), token_);
  NewIssue issue;
  issue.title = "over tcp";
  const Issue created = tracker.create(issue);
  EXPECT_EQ(tracker.get(created.id).title, "over tcp");
  Client no_token(daemon().endpoint());
  try {
    no_token.get(created.id);
    FAIL() << "served without a token";
  } catch (const ClientError& error) {
    EXPECT_EQ(error.status(), 401);
  }
}

TEST(TcpStartup, NonLoopbackNeedsAllowRemote) {
  TestDir dir{"trk"};
  const ExitStatus status =
      run_trackerd({"--listen", "0.0.0.0:0", "--token-file", (dir / "token").string(), "--db",
                    (dir / "t.db").string()},
                   dir / "log");
  EXPECT_EQ(status.code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir / "token"));
}

TEST(TcpStartup, ListenNeedsATokenFile) {
  TestDir dir{"trk"};
  EXPECT_EQ(
      run_trackerd({"--listen", "127.0.0.1:0", "--db", (dir / "t.db").string()}, dir / "log").code,
      2);
}

}  // namespace
}  // namespace tracker::testing
