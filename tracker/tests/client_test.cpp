// tracker::Client sessions: one reused, closed on close(); session_per_call leaks on purpose.
#include <unistd.h>

#include <thread>

#include "daemon_test.h"

namespace tracker::testing {
namespace {

class ClientTest : public DaemonTest {
 protected:
  void SetUp() override { start(); }
};

TEST_F(ClientTest, SessionOpensOnFirstUseAndCloseEndsIt) {
  const auto& sessions = leakgate::kind("sessions");
  const int64_t before = sessions.live();
  Client tracker = client();
  EXPECT_FALSE(tracker.has_session());
  tracker.health();
  EXPECT_TRUE(tracker.has_session());
  EXPECT_EQ(sessions.live(), before + 1);
  tracker.close();
  EXPECT_FALSE(tracker.has_session());
  EXPECT_EQ(sessions.live(), before);
  tracker.health();  // reopens
  EXPECT_EQ(sessions.live(), before + 1);
}

TEST_F(ClientTest, SessionPerCallLeaksASessionAndASocketPerCall) {
  const auto& sessions = leakgate::kind("sessions");
  const int64_t before = sessions.live();
  const int64_t fds_before = open_fds(::getpid());
  {
    ClientOptions options;
    options.endpoint = daemon().endpoint();
    options.session_per_call = true;
    Client leaky(options);
    for (int i = 0; i < 10; ++i) leaky.health();
  }
  EXPECT_EQ(sessions.live(), before + 10) << "never closed, not even by the destructor";
  EXPECT_GE(open_fds(::getpid()), fds_before + 10) << "and their sockets stay open";
}

TEST_F(ClientTest, OutlivesTheDaemonClosingIdleConnections) {
  const auto& sessions = leakgate::kind("sessions");
  Client tracker = client();
  tracker.health();
  const int64_t created = sessions.created();
  const int64_t fds = open_fds(::getpid());
  for (int i = 0; i < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // the daemon's idle timeout
    EXPECT_EQ(tracker.health().status, "ok");
  }
  EXPECT_EQ(sessions.created(), created) << "still the same session";
  EXPECT_EQ(open_fds(::getpid()), fds) << "the old connection was closed, not leaked";
}

TEST_F(ClientTest, MovedClientKeepsItsSession) {
  Client first = client();
  first.health();
  Client second = std::move(first);
  EXPECT_TRUE(second.has_session());
  EXPECT_EQ(second.health().status, "ok");
}

TEST(ClientEndpoint, RejectsMalformedEndpoints) {
  EXPECT_THROW(Client("ftp://example.com"), ClientError);
  EXPECT_THROW(Client("unix:"), ClientError);
}

}  // namespace
}  // namespace tracker::testing
