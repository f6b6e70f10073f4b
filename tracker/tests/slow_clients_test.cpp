// Slow clients: half a request, then silence. trackerd times such a connection out (its 5 s
// read timeout) and serves everyone else meanwhile; more stalls than workers only delay the
// others until the stalls time out.
#include <nlohmann/json.hpp>

#include "daemon_test.h"
#include "raw_connection.h"

namespace tracker::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kReadTimeout = 5000ms;  // trackerd's set_read_timeout(5)

const char* const kHalfRequests[] = {
    "GET /iss",  // inside the request line
    "POST /issues HTTP/1.1\r\nContent-Type: application/json\r\nContent-Le",   // inside a header
    "POST /issues HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"title\":\"sta",    // inside the body
    "POST /issues HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n{\"ti",  // inside a chunk
};

struct Stall {
  std::unique_ptr<RawConnection> connection;
  Clock::time_point since;
};

std::vector<Stall> stall(const std::filesystem::path& socket, size_t count) {
  std::vector<Stall> stalls;
  for (size_t i = 0; i < count; ++i) {
    auto connection = std::make_unique<RawConnection>(socket);
    EXPECT_TRUE(connection->send(kHalfRequests[i % std::size(kHalfRequests)]));
    stalls.push_back({std::move(connection), Clock::now()});
  }
  return stalls;
}

// The daemon must close every stalled connection: not at once, and not much after its timeout.
void expect_timed_out(std::vector<Stall>& stalls, std::chrono::milliseconds latest) {
  for (size_t i = 0; i < stalls.size(); ++i) {
    const RawExchange reply =
        stalls[i].connection->receive(latest + 2000ms, RawConnection::Until::kClose);
    const auto after = Clock::now() - stalls[i].since;
    EXPECT_TRUE(reply.closed) << "stall " << i << " still open after " << (latest + 2000ms).count()
                              << " ms";
    EXPECT_TRUE(reply.status == 0 || (reply.status >= 400 && reply.status < 500))
        << "stall " << i << ": " << reply.response;
    EXPECT_GE(after, kReadTimeout - 500ms) << "stall " << i << " closed before the timeout";
    EXPECT_LE(after, latest + 1000ms) << "stall " << i;
  }
}

class SlowClients : public DaemonTest {};

TEST_F(SlowClients, StalledConnectionsTimeOutWhileOthersAreServed) {
  start({"--workers", "8"});
  auto stalls = stall(socket_, std::size(kHalfRequests));
  for (int i = 0; i < 20; ++i) {
    const auto started = Clock::now();
    EXPECT_EQ(raw_request(daemon().endpoint(), "GET", "/health").status, 200);
    EXPECT_LT(Clock::now() - started, 1000ms) << "a stalled client delayed another";
  }
  EXPECT_EQ(raw_request(daemon().endpoint(), "POST", "/issues", R"({"title":"served"})").status,
            201);
  expect_timed_out(stalls, kReadTimeout + 1000ms);
  const auto listed =
      nlohmann::json::parse(raw_request(daemon().endpoint(), "GET", "/issues").body);
  ASSERT_EQ(listed["issues"].size(), 1u) << "a stalled POST stored something: " << listed.dump();
  EXPECT_EQ(listed["issues"][0]["title"], "served");
}

TEST_F(SlowClients, MoreStallsThanWorkersDelayOthersOnlyUntilTheTimeout) {
  start({"--workers", "2"});
  auto stalls = stall(socket_, 3);  // both workers stalled, one more queued behind them
  const auto started = Clock::now();
  RawConnection health(socket_);
  ASSERT_TRUE(health.send("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n"));
  const RawExchange reply = health.receive(3 * kReadTimeout);
  EXPECT_EQ(reply.status, 200) << "not served once the stalls timed out: " << reply.response;
  EXPECT_LT(Clock::now() - started, kReadTimeout + 3000ms);
  expect_timed_out(stalls, 2 * kReadTimeout + 1000ms);  // the queued stall starts late
  EXPECT_EQ(raw_request(daemon().endpoint(), "GET", "/health").status, 200);
}

}  // namespace
}  // namespace tracker::testing
