// The GoogleTest example README.md quotes (section GoogleTest), compiled and run by CTest
// (gtest.readme-example): README.md holds the lines between the two markers verbatim
// (readme-quote checks it), so the README's example always builds and passes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "leakgate/leak_test.h"

namespace {

// GET <endpoint>/ (http://127.0.0.1:PORT/) over a new connection, as a client of the daemon.
void http_get(const std::string& url) {
  const size_t colon = url.rfind(':');
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(std::stoi(url.substr(colon + 1))));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "GET / HTTP/1.0\r\n\r\n";
    char buffer[4096];
    if (write(fd, request.data(), request.size()) > 0)
      while (read(fd, buffer, sizeof buffer) > 0) {
      }
  }
  close(fd);
}

}  // namespace

// README begin
class HttpServerTest : public leakgate::LeakTest {
 protected:
  std::optional<leakgate::DaemonSpec> daemon_spec() override {
    return leakgate::daemon_from_yaml(R"(
command: ["${PYTHON}", "-m", "http.server", "${PORT}", "--bind", "127.0.0.1"]
ready: {http: /}         # or stdout (a JSON line), {tcp: ...}, {log: ...}, {notify: true}
endpoint: http://127.0.0.1:${PORT}
counters: none           # it does not link leakgate's accounting library
# preload: true          # a native daemon: the line that made each leaked fd and heap block
)", {{"PYTHON", "python3"}});  // your variables; ${WORKDIR}, ${PORT}, ${TEST} are builtin
  }
};
TEST_F(HttpServerTest, NoFdPerRequest) {
  set_budget("daemon.fds", {.growth = 0});
  for (int i = 0; i < 20; ++i) { http_get(endpoint()); iteration_done(); }
}
int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  leakgate::install_budget_listener();   // optional: at the end, where the report index is
  return RUN_ALL_TESTS();
}
// README end
