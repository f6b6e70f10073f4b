// leakgate::LeakTest: echo_daemon driven from a GoogleTest body instead of a scenario. Each
// test starts its own daemon, sends ten requests over its Unix socket (one iteration each),
// and is judged in TearDown against the default budgets: Clean passes; FdPerRequest starts the
// daemon with its bug switched on and fails on daemon.fds.
#include "leakgate/leak_test.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

// One GET / over the daemon's endpoint ("unix:/path"); the answer's status line.
std::string get(const std::string& endpoint) {
  const std::string path = endpoint.substr(endpoint.find(':') + 1);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) return "socket path too long: " + path;
  std::strcpy(address.sun_path, path.c_str());
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "socket: " + std::string(std::strerror(errno));
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    const std::string request = "GET /hello HTTP/1.0\r\n\r\n";
    if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[512];
      ssize_t n;
      while ((n = read(fd, buffer, sizeof(buffer))) > 0) answer.append(buffer, n);
    }
  } else {
    answer = "connect: " + std::string(std::strerror(errno));
  }
  close(fd);
  return answer.substr(0, answer.find("\r\n"));
}

class EchoDaemonTest : public leakgate::LeakTest {
 protected:
  void ten_requests(std::vector<std::string> extra_arguments) {
    leakgate::LeakTestDaemon daemon;
    daemon.command = {ECHO_DAEMON, "${WORKDIR}/echo.sock"};
    daemon.command.insert(daemon.command.end(), extra_arguments.begin(), extra_arguments.end());
    daemon.counters = leakgate::DaemonSpec::Counters::kNone;  // not linked with leakgate
    start_daemon(daemon);
    for (int i = 0; i < 10; ++i) {
      ASSERT_EQ(get(endpoint()), "HTTP/1.0 200 OK");
      iteration_done();
    }
  }
};

TEST_F(EchoDaemonTest, Clean) { ten_requests({}); }

// The regression: one fd per request, never closed. Fails on daemon.fds.
TEST_F(EchoDaemonTest, FdPerRequest) { ten_requests({"--leak-fd-per-request"}); }

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  leakgate::install_budget_listener();
  return RUN_ALL_TESTS();
}
