// Readiness kinds (spawn/readiness.h): the pure parts on fixture strings, then each wait
// against a real process (python3, sh) on real sockets and files; and daemon.files written.
#include "spawn/readiness.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include "spawn/daemon_files.h"
#include "spawn/readiness_parts.h"
#include "../support/test_dir.h"

namespace leakgate {
namespace {

using std::chrono::milliseconds;

TEST(TcpTarget, PortAloneMeansLoopback) {
  const auto target = parse_tcp_target("8080");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->str(), "127.0.0.1:8080");
  EXPECT_EQ(parse_tcp_target("localhost:80")->str(), "localhost:80");
  EXPECT_EQ(parse_tcp_target("[::1]:8080")->host, "::1");
  EXPECT_EQ(parse_tcp_target("[::1]:8080")->str(), "[::1]:8080");
  EXPECT_EQ(parse_tcp_target("007")->port, "7");
  for (const char* bad : {"", "0", "65536", "http", ":80", "::1:80", "host:", "123456", "-1"})
    EXPECT_FALSE(parse_tcp_target(bad)) << bad;
}

TEST(NotifyDatagram, ReadyIsItsOwnAssignment) {
  EXPECT_TRUE(notify_says_ready("READY=1"));
  EXPECT_TRUE(notify_says_ready("STATUS=Ready to accept connections\nREADY=1\n"));
  EXPECT_FALSE(notify_says_ready("READY=0"));
  EXPECT_FALSE(notify_says_ready("NOTREADY=1"));
  EXPECT_FALSE(notify_says_ready("STATUS=READY=1"));
  EXPECT_FALSE(notify_says_ready(""));
  EXPECT_EQ(notify_field("MAINPID=42\nREADY=1", "MAINPID"), "42");
  EXPECT_EQ(notify_field("READY=1", "STATUS"), std::nullopt);
}

TEST(LineMatcher, MatchesOnlyCompleteLinesAcrossChunks) {
  const std::regex regex("server started( \\(lighttpd)?", std::regex::ECMAScript);
  LineMatcher lines(regex);
  EXPECT_FALSE(lines.feed("2026-12-07 boot\n2026-12-07 server sta"));
  EXPECT_FALSE(lines.feed("rted (lighttpd/1.4.69)"));  // no newline yet: still being written
  EXPECT_TRUE(lines.feed("\r\nmore\n"));
  EXPECT_EQ(lines.matched_line(), "2026-12-07 server started (lighttpd/1.4.69)");
  EXPECT_TRUE(lines.feed("anything"));
  const std::regex whole_line("^ready$");
  LineMatcher anchored(whole_line);
  EXPECT_FALSE(anchored.feed("not ready\n"));
  EXPECT_TRUE(anchored.feed("ready\n"));
}

TEST(NeverReadyMessage, NamesKindTargetAndTimeout) {
  EXPECT_EQ(never_ready_message("tcp", "127.0.0.1:4242", "nothing accepted a connection",
                                Millis(1500), "last attempt: Connection refused"),
            "ready {tcp: 127.0.0.1:4242}: nothing accepted a connection within 1.5s "
            "(ready_timeout); last attempt: Connection refused");
}

class ReadinessWait : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = std::to_string(free_port());
    vars_ = {{"PORT", port_}, {"WORKDIR", dir_.path().string()}};
  }
  static int free_port() {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t size = sizeof(address);
    getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &size);
    return ntohs(address.sin_port);
  }
  // Starts `argv` with the readiness of `spec` and waits; "" when ready, else the error.
  std::string start_and_wait(DaemonSpec spec, std::vector<std::string> argv) {
    DaemonReadiness readiness(spec, vars_, dir_.path());
    DaemonLaunch launch{std::move(argv), {}, dir_.path()};
    readiness.add_environment(launch.env);
    notify_socket_ = launch.env.count("NOTIFY_SOCKET") ? launch.env["NOTIFY_SOCKET"] : "";
    DaemonProcess daemon(std::move(launch));
    try {
      readiness.wait(daemon);
    } catch (const DaemonError& e) {
      return e.what();
    }
    return {};
  }
  static DaemonSpec spec(DaemonSpec::Ready kind, std::string target, Millis timeout) {
    DaemonSpec spec;
    spec.ready = kind;
    (kind == DaemonSpec::Ready::kTcp ? spec.ready_tcp : spec.ready_log) = std::move(target);
    spec.ready_timeout = timeout;
    return spec;
  }
  const testing::TestDir dir_{"readiness"};  // removed when the test ends
  std::string port_;
  std::string notify_socket_;
  Variables vars_;
};

TEST_F(ReadinessWait, TcpWaitsUntilThePortAccepts) {
  const std::string listen =
      "import socket,time; time.sleep(0.3); s=socket.socket(); "
      "s.bind(('127.0.0.1'," +
      port_ + ")); s.listen(); time.sleep(30)";
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(start_and_wait(spec(DaemonSpec::Ready::kTcp, "${PORT}", Millis(10000)),
                           {"python3", "-c", listen}),
            "");
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(300));
}

TEST_F(ReadinessWait, TcpNeverReadyNamesPortAndTimeout) {
  EXPECT_EQ(start_and_wait(spec(DaemonSpec::Ready::kTcp, "127.0.0.1:${PORT}", Millis(300)),
                           {"sleep", "30"}),
            "ready {tcp: 127.0.0.1:" + port_ +
                "}: nothing accepted a connection within 300ms (ready_timeout); last attempt: "
                "Connection refused");
}

TEST_F(ReadinessWait, ExitBeforeReadyIsNotATimeout) {
  EXPECT_EQ(start_and_wait(spec(DaemonSpec::Ready::kTcp, "${PORT}", Millis(10000)),
                           {"sh", "-c", "exit 3"}),
            "daemon exited before it was ready (exit code 3); waited for ready {tcp: 127.0.0.1:" +
                port_ + "}");
}

TEST_F(ReadinessWait, LogLineOnStderrMatches) {
  EXPECT_EQ(
      start_and_wait(spec(DaemonSpec::Ready::kLog, "listening on port ${PORT}$", Millis(10000)),
                     {"sh", "-c",
                      "echo listening on port " + port_ + "0; sleep 0.2; echo listening on port " +
                          port_ + " >&2; sleep 30"}),
      "");
}

TEST_F(ReadinessWait, LogNeverReadyNamesRegexAndTimeout) {
  EXPECT_EQ(start_and_wait(spec(DaemonSpec::Ready::kLog, "server started", Millis(300)),
                           {"sh", "-c", "echo server starting; sleep 30"}),
            "ready {log: 'server started'}: no line of the daemon's stdout or stderr matched "
            "within 300ms (ready_timeout)");
}

// What sd_notify(3) does, abstract names included.
const std::string kNotify =
    "import os,socket,sys,time; a=os.environ['NOTIFY_SOCKET']; "
    "a='\\0'+a[1:] if a[0]=='@' else a; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); "
    "time.sleep(0.2); [s.sendto(m.encode(),a) for m in sys.argv[1:]]; time.sleep(30)";

TEST_F(ReadinessWait, NotifyReadyOnTheSocketInTheWorkDirectory) {
  DaemonSpec notify;
  notify.ready = DaemonSpec::Ready::kNotify;
  EXPECT_EQ(start_and_wait(notify, {"python3", "-c", kNotify, "STATUS=loading", "READY=1"}), "");
  EXPECT_EQ(notify_socket_, (dir_.path() / "notify.sock").string());
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "notify.sock"));  // unlinked once waited
}

TEST_F(ReadinessWait, NotifyNeverReadyShowsTheLastDatagram) {
  DaemonSpec notify;
  notify.ready = DaemonSpec::Ready::kNotify;
  notify.ready_timeout = Millis(3000);  // python3 starts slowly on a loaded machine
  EXPECT_EQ(
      start_and_wait(notify, {"python3", "-c", kNotify, "STATUS=loading\nMAINPID=1"}),
      "ready {notify: true}: no READY=1 came to NOTIFY_SOCKET=" + (dir_.path() / "notify.sock").string() +
          " within 3s (ready_timeout); last datagram: STATUS=loading; MAINPID=1");
}

TEST_F(ReadinessWait, NotifyUsesAnAbstractNameWhenThePathIsTooLong) {
  const std::filesystem::path deep = dir_.path() / std::string(120, 'd');
  std::filesystem::create_directories(deep);
  NotifySocket socket(deep);
  ASSERT_EQ(socket.address().front(), '@');
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string name = socket.address().substr(1);
  std::memcpy(address.sun_path + 1, name.data(), name.size());
  UniqueFd client(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ASSERT_FALSE(socket.poll_ready());
  const std::string message = "READY=1";
  ASSERT_EQ(
      sendto(client.get(), message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&address),
             static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size())),
      static_cast<ssize_t>(message.size()));
  EXPECT_TRUE(socket.poll_ready());
}

TEST_F(ReadinessWait, DaemonFilesAreWrittenExpanded) {
  DaemonFile conf{"conf/app.ini", "port=${PORT}\ndir=${WORKDIR}\ncost=$$5 $HOME\n", "", {}};
  write_daemon_files({conf}, vars_, dir_.path());
  std::ifstream in(dir_.path() / "conf/app.ini");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "port=" + port_ + "\ndir=" + dir_.path().string() + "\ncost=$5 $HOME\n");
  DaemonFile unknown{"x", "${NOT_GIVEN}", "/s/x.in", {"s.yaml", 4, 5}};
  try {
    write_daemon_files({unknown}, vars_, dir_.path());
    FAIL();
  } catch (const DaemonError& e) {
    EXPECT_NE(std::string(e.what()).find("(daemon.files at s.yaml:4:5 from /s/x.in)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace leakgate
