// leakgate::LeakTest: echo_daemon driven from a GoogleTest body instead of a scenario. The
// fixture describes the daemon as a scenario's `daemon:` block does (in YAML here); SetUp starts
// it and waits until GET /hello answers, then the body sends ten requests over its Unix socket
// (one iteration each), and TearDown judges against the default budgets:
//   EchoDaemonTest.Clean passes;
//   FdLeakingEchoDaemonTest.FdPerRequest (the bug switched on) fails on daemon.fds, naming the
//     line of echo_daemon.c that opened the leaked fds (preload);
//   BrokenEchoDaemonTest.CannotStart (no socket path: the daemon exits at once) fails in SetUp,
//     and its body does not run.
#include "leakgate/leak_test.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
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
  // Started in SetUp, before the body. preload: libleakgate_preload.so records where each fd
  // the daemon opens was created, and publishes it through the counter file (counters: shm).
  std::optional<leakgate::DaemonSpec> daemon_spec() override {
    leakgate::DaemonSpec daemon = leakgate::daemon_from_yaml(R"(
command: ["${ECHO_DAEMON}", "${WORKDIR}/echo.sock"]
ready: {http: /hello}
endpoint: unix:${WORKDIR}/echo.sock
preload: true
counters: shm
)",
                                                             {{"ECHO_DAEMON", ECHO_DAEMON}});
    daemon.command.insert(daemon.command.end(), extra_arguments.begin(), extra_arguments.end());
    return daemon;
  }
  void ten_requests() {
    for (int i = 0; i < 10; ++i) {
      ASSERT_EQ(get(endpoint()), "HTTP/1.0 200 OK");
      iteration_done();
    }
  }
  std::vector<std::string> extra_arguments;
};

TEST_F(EchoDaemonTest, Clean) { ten_requests(); }

// The regression: one fd per request, never closed. Fails on daemon.fds.
class FdLeakingEchoDaemonTest : public EchoDaemonTest {
 protected:
  FdLeakingEchoDaemonTest() { extra_arguments = {"--leak-fd-per-request"}; }
};
TEST_F(FdLeakingEchoDaemonTest, FdPerRequest) { ten_requests(); }

// A daemon that cannot start (echo_daemon without its socket path exits at once): the test
// fails in SetUp with one verdict, and the body below never runs.
class BrokenEchoDaemonTest : public leakgate::LeakTest {
 protected:
  std::optional<leakgate::DaemonSpec> daemon_spec() override {
    return leakgate::daemon_from_yaml(R"(
command: ["${ECHO_DAEMON}"]
counters: none
)",
                                      {{"ECHO_DAEMON", ECHO_DAEMON}});
  }
};
TEST_F(BrokenEchoDaemonTest, CannotStart) { std::cout << "the body ran" << std::endl; }

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  leakgate::install_budget_listener();
  return RUN_ALL_TESTS();
}
