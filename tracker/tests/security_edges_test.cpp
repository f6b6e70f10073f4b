// Security edges the integration tests do not cover (they cover: no token over TCP -> 401 and
// nothing done, token file 0600, socket 0600 in a created 0700 directory, 0.0.0.0 refused
// without --allow-remote: auth_test.cpp, lifecycle_test.cpp).
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "daemon_test.h"

namespace tracker::testing {
namespace {

mode_t mode_of(const std::filesystem::path& path) {
  struct stat status {};
  EXPECT_EQ(::lstat(path.c_str(), &status), 0) << path;
  return status.st_mode & 07777;
}

std::string contents(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> tcp_args(const TestDir& dir, const std::string& listen) {
  return {"--listen",     listen,
          "--token-file", (dir / "token").string(),
          "--db",         (dir / "t.db").string()};
}

TEST(SecurityEdges, ATokenOfTheRightLengthButWrongIsRefused) {
  TestDir dir{"trk"};
  TrackerdProcess daemon(tcp_args(dir, "127.0.0.1:0"), dir / "log");
  std::string wrong = read_token_file(dir / "token");
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  const RawReply reply = raw_request(daemon.endpoint(), "POST", "/issues", R"({"title":"x"})",
                                     {{"Authorization", "Bearer " + wrong}});
  EXPECT_EQ(reply.status, 401);
  EXPECT_TRUE(Client(daemon.endpoint(), read_token_file(dir / "token")).list().empty());
}

TEST(SecurityEdges, AWorldReadableTokenFileIsMadePrivate) {
  TestDir dir{"trk"};
  std::ofstream(dir / "token") << "old token\n";
  ASSERT_EQ(::chmod((dir / "token").c_str(), 0644), 0);
  TrackerdProcess daemon(tcp_args(dir, "127.0.0.1:0"), dir / "log");
  EXPECT_EQ(mode_of(dir / "token"), 0600u);
  EXPECT_NE(contents(dir / "token"), "old token\n");
}

TEST(SecurityEdges, ATokenFileSymlinkIsNotFollowed) {
  // Someone who can write the token's directory must not make trackerd overwrite their target.
  TestDir dir{"trk"};
  std::ofstream(dir / "victim") << "precious\n";
  std::filesystem::create_symlink(dir / "victim", dir / "token");
  const ExitStatus status = run_trackerd(tcp_args(dir, "127.0.0.1:0"), dir / "log");
  EXPECT_TRUE(status.exited);
  EXPECT_NE(status.code, 0);
  EXPECT_EQ(contents(dir / "victim"), "precious\n");
}

std::vector<std::string> socket_args(const TestDir& dir, const std::filesystem::path& socket) {
  return {"--socket", socket.string(), "--db", (dir / "t.db").string()};
}

TEST(SecurityEdges, ASocketDirectoryOthersMayWriteIsRefused) {
  TestDir dir{"trk"};
  std::filesystem::create_directory(dir / "open");
  ASSERT_EQ(::chmod((dir / "open").c_str(), 0777), 0);
  const ExitStatus status = run_trackerd(socket_args(dir, dir / "open" / "d.sock"), dir / "log");
  EXPECT_TRUE(status.exited);
  EXPECT_EQ(status.code, 1);
  EXPECT_NE(contents(dir / "log").find("writable by others"), std::string::npos)
      << contents(dir / "log");
  EXPECT_FALSE(std::filesystem::exists(dir / "open" / "d.sock"));
}

TEST(SecurityEdges, AStickySharedDirectoryLikeTmpIsAcceptedAndTheSocketPrivate) {
  TestDir dir{"trk"};
  std::filesystem::create_directory(dir / "shared");
  ASSERT_EQ(::chmod((dir / "shared").c_str(), 01777), 0);
  TrackerdProcess daemon(socket_args(dir, dir / "shared" / "d.sock"), dir / "log");
  EXPECT_EQ(mode_of(dir / "shared" / "d.sock") & 0777, 0600u);
}

TEST(SecurityEdges, ASocketDirectoryOfAnotherUserIsRefused) {
  // Squatting: another user creates the default /tmp/tracker-UID first and waits.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to create a directory owned by someone else";
  TestDir dir{"trk"};
  std::filesystem::create_directory(dir / "theirs");
  ASSERT_EQ(::chmod((dir / "theirs").c_str(), 0700), 0);
  ASSERT_EQ(::chown((dir / "theirs").c_str(), 65534, 65534), 0);
  const ExitStatus status = run_trackerd(socket_args(dir, dir / "theirs" / "d.sock"), dir / "log");
  EXPECT_TRUE(status.exited);
  EXPECT_EQ(status.code, 1);
  EXPECT_NE(contents(dir / "log").find("belongs to uid 65534"), std::string::npos)
      << contents(dir / "log");
}

class NonLoopback : public ::testing::TestWithParam<const char*> {};

TEST_P(NonLoopback, IsRefusedWithoutAllowRemote) {
  TestDir dir{"trk"};
  const ExitStatus status = run_trackerd(tcp_args(dir, GetParam()), dir / "log");
  EXPECT_TRUE(status.exited);
  EXPECT_EQ(status.code, 2) << contents(dir / "log");
  EXPECT_NE(contents(dir / "log").find("--allow-remote"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "token")) << "refused before anything was written";
  EXPECT_FALSE(std::filesystem::exists(dir / "t.db"));
}

INSTANTIATE_TEST_SUITE_P(Addresses, NonLoopback,
                         ::testing::Values("[::]:0", "192.0.2.1:0", "10.0.0.1:0",
                                           "localhost.example:0", "127.0.0.1.example:0"),
                         [](const auto& info) {
                           std::string name;
                           for (const char* c = info.param; *c != '\0'; ++c) {
                             name += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace tracker::testing
