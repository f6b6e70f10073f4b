// leakgate::LeakTest takes a scenario's daemon block (DaemonSpec), from C++ or from YAML
// (issue 26): every readiness kind, endpoint, preload, stop behaviour. A daemon that cannot
// start fails the test in SetUp, so the body does not run; failures point at the TEST_F.
// The CannotStart and BadDescription tests fail on purpose: leak-test-spec runs them and checks
// what they print (see CMakeLists.txt).
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "leakgate/leak_test.h"
#include "leakgate/scenario_parser.h"
#include "leakgate/variables.h"

namespace {

using ::testing::HasSubstr;

TEST(DaemonFromYaml, ReadsTheKeysOfAScenariosDaemonBlock) {
  const leakgate::DaemonSpec daemon = leakgate::daemon_from_yaml(R"(
command: ["${SERVER}", "-m", "http.server", "${PORT}"]
ready: {http: /health}
endpoint: http://127.0.0.1:${PORT}
preload: true
counters: none
stop_signal: SIGINT
clean_exit_codes: [0, 3]
env: {GREETING: "costs $$5 in ${WORKDIR} for ${WHO}"}
)",
                                                                 {{"SERVER", "/opt/py$/python3"},
                                                                  {"WHO", "${you}"}});
  // The caller's variables are filled in; the runner's builtins stay templates, and what was
  // literal stays literal when the runner expands them.
  const leakgate::Variables at_run_time{{"PORT", "8080"}, {"WORKDIR", "/w"}};
  ASSERT_EQ(daemon.command.size(), 4u);
  EXPECT_EQ(leakgate::expand_variables(daemon.command[0], at_run_time), "/opt/py$/python3");
  EXPECT_EQ(leakgate::expand_variables(daemon.command[3], at_run_time), "8080");
  EXPECT_EQ(leakgate::expand_variables(daemon.env.at("GREETING"), at_run_time),
            "costs $5 in /w for ${you}");
  EXPECT_EQ(daemon.ready, leakgate::DaemonSpec::Ready::kHttp);
  EXPECT_EQ(daemon.ready_http_path, "/health");
  ASSERT_TRUE(daemon.endpoint.has_value());
  EXPECT_EQ(leakgate::expand_variables(*daemon.endpoint, at_run_time), "http://127.0.0.1:8080");
  EXPECT_TRUE(daemon.preload);
  EXPECT_EQ(daemon.counters, leakgate::DaemonSpec::Counters::kNone);
  EXPECT_EQ(daemon.stop_signal, SIGINT);
  EXPECT_EQ(daemon.clean_exit_codes, (std::vector<int>{0, 3}));
}

TEST(DaemonFromYaml, AnErrorNamesTheCallersLineAndTheYamlLine) {
  const int line = __LINE__ + 2;
  try {
    leakgate::daemon_from_yaml("command: [/bin/true]\nredy: stdout\n");
    FAIL() << "a misspelt key was accepted";
  } catch (const leakgate::ScenarioError& error) {
    EXPECT_THAT(error.what(), HasSubstr("leak_test_spec_test.cpp:" + std::to_string(line) +
                                        " daemon YAML:2:1: unknown key 'redy'"));
    EXPECT_THAT(error.what(), HasSubstr("did you mean 'ready'"));
  }
}

TEST(DaemonFromYaml, AVariableNobodyDefinesIsAnError) {
  try {
    leakgate::daemon_from_yaml(R"(command: ["${NOT_GIVEN}"])", {{"GIVEN", "x"}});
    FAIL() << "an undefined variable was accepted";
  } catch (const leakgate::ScenarioError& error) {
    EXPECT_THAT(error.what(), HasSubstr("NOT_GIVEN"));
  }
}

// "HTTP/1.0 200 OK" from GET / at http://127.0.0.1:PORT, or what went wrong.
std::string status_line(const std::string& endpoint) {
  const std::string port = endpoint.substr(endpoint.rfind(':') + 1);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(std::stoi(port)));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  std::string answer = "connect failed";
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "GET / HTTP/1.0\r\n\r\n";
    answer.clear();
    if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      ssize_t n;
      while ((n = read(fd, buffer, sizeof buffer)) > 0) answer.append(buffer, n);
    }
  }
  close(fd);
  return answer.substr(0, answer.find("\r\n"));
}

// Python's http.server, described in YAML with HTTP readiness and an endpoint template: the
// whole description reaches the engine, and the body runs against a ready daemon.
class HttpServerTest : public leakgate::LeakTest {
 protected:
  std::optional<leakgate::DaemonSpec> daemon_spec() override {
    return leakgate::daemon_from_yaml(R"(
command: ["${PYTHON}", "-m", "http.server", "${PORT}", "--bind", "127.0.0.1",
          "--directory", "${WORKDIR}"]
ready: {http: /}
endpoint: http://127.0.0.1:${PORT}
counters: none
)",
                                      {{"PYTHON", "python3"}});
  }
};

TEST_F(HttpServerTest, ServesFromSetUpOn) {
  ASSERT_THAT(endpoint(), HasSubstr("http://127.0.0.1:"));
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(status_line(endpoint()), "HTTP/1.0 200 OK");
    iteration_done();
  }
}

// A daemon that exits before it is ready: SetUp fails, the body must not run.
class CannotStartTest : public leakgate::LeakTest {
 protected:
  std::optional<leakgate::DaemonSpec> daemon_spec() override {
    return leakgate::daemon_from_yaml(R"(
command: ["/bin/sh", "-c", "echo 'no port for me' >&2; exit 3"]
counters: none
ready_timeout: 5s
)");
  }
};

TEST_F(CannotStartTest, TheBodyDoesNotRun) { std::cout << "THE BODY RAN" << std::endl; }

// A description with a mistake: the test fails at the TEST_F, naming the YAML's line.
class BadDescriptionTest : public leakgate::LeakTest {
 protected:
  std::optional<leakgate::DaemonSpec> daemon_spec() override {
    return leakgate::daemon_from_yaml("command: [/bin/true]\nready: {htp: /}\n");
  }
};

TEST_F(BadDescriptionTest, TheBodyDoesNotRun) { std::cout << "THE BODY RAN" << std::endl; }

}  // namespace
