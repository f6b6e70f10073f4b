// trackerd's command line: durations, listen addresses, fault names, exit codes.
#include "daemon_options.h"

#include <gtest/gtest.h>

#include "tracker/endpoint.h"

namespace tracker {
namespace {

using std::chrono::milliseconds;

std::variant<DaemonOptions, int> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "trackerd");
  return parse_daemon_options(static_cast<int>(args.size()), args.data());
}

TEST(ParseDuration, AcceptsCommonUnits) {
  EXPECT_EQ(parse_duration("10ms"), milliseconds(10));
  EXPECT_EQ(parse_duration("1s"), milliseconds(1000));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(parse_duration("2m"), milliseconds(120000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3600000));
}

TEST(ParseDuration, RejectsMalformedOrTooShort) {
  for (const char* text : {"", "10", "ms", "10 ms", "1x", "0ms", "0.1ms", "-1s", "1.2.3s"}) {
    EXPECT_FALSE(parse_duration(text)) << text;
  }
}

TEST(ParseListenAddress, HostAndPort) {
  const auto v4 = parse_listen_address("127.0.0.1:0");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 0);
  const auto v6 = parse_listen_address("[::1]:8080");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8080);
  for (const char* text : {"127.0.0.1", ":80", "host:", "host:70000", "::1:80", "h:x"}) {
    EXPECT_FALSE(parse_listen_address(text)) << text;
  }
}

TEST(IsLoopbackHost, OnlyLoopback) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("::"));
  EXPECT_FALSE(is_loopback_host("example.com"));
}

TEST(ParseFaults, KnownNamesAndTheFirstUnknown) {
  const auto faults = parse_faults("engine-per-sync,fd-per-request");
  ASSERT_TRUE(std::holds_alternative<FaultSet>(faults));
  EXPECT_TRUE(std::get<FaultSet>(faults).engine_per_sync);
  EXPECT_TRUE(std::get<FaultSet>(faults).fd_per_request);
  EXPECT_FALSE(std::get<FaultSet>(faults).heap_per_request);
  EXPECT_EQ(std::get<std::string>(parse_faults("heap-per-request,nope")), "nope");
  EXPECT_EQ(known_faults().size(), 5u);
}

TEST(ParseFaults, HeapLeakSizeIsOptionalAndChecked) {
  EXPECT_EQ(std::get<FaultSet>(parse_faults("heap-per-request")).heap_leak_bytes, 64u * 1024);
  const auto sized = parse_faults("heap-per-request:1024");
  ASSERT_TRUE(std::holds_alternative<FaultSet>(sized));
  EXPECT_TRUE(std::get<FaultSet>(sized).heap_per_request);
  EXPECT_EQ(std::get<FaultSet>(sized).heap_leak_bytes, 1024u);
  for (const char* bad : {"heap-per-request:0", "heap-per-request:", "heap-per-request:1k",
                          "heap-per-request:999999999999"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_faults(bad))) << bad;
  }
}

TEST(ParseDaemonOptions, FullCommandLine) {
  const auto parsed = parse({"--socket", "/tmp/x.sock", "--db", "/tmp/x.db", "--sync-interval",
                             "10ms", "--inject", "no-shutdown-cleanup", "--export", "/tmp/e.json"});
  ASSERT_TRUE(std::holds_alternative<DaemonOptions>(parsed));
  const auto& options = std::get<DaemonOptions>(parsed);
  EXPECT_EQ(options.socket_path, "/tmp/x.sock");
  EXPECT_EQ(options.sync_interval, milliseconds(10));
  EXPECT_TRUE(options.faults.no_shutdown_cleanup);
  EXPECT_EQ(options.export_path, "/tmp/e.json");
  EXPECT_FALSE(options.listen);
}

TEST(ParseDaemonOptions, UsageErrorsExitWith2) {
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(std::get<int>(parse({"--inject", "bogus"})), kExitUsage);
  EXPECT_EQ(std::get<int>(parse({"--sync-interval", "soon"})), kExitUsage);
  EXPECT_EQ(std::get<int>(parse({"--listen", "127.0.0.1:0"})), kExitUsage);  // no token file
  EXPECT_EQ(std::get<int>(parse({"--listen", "0.0.0.0:0", "--token-file", "/tmp/t"})), kExitUsage);
  EXPECT_EQ(std::get<int>(parse({"--socket", "/a", "--listen", "127.0.0.1:0"})), kExitUsage);
  EXPECT_EQ(std::get<int>(parse({"--no-such-flag"})), kExitUsage);
  EXPECT_EQ(std::get<int>(parse({"--help"})), kExitOk);
  ::testing::internal::GetCapturedStdout();
  const std::string errors = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(errors.find("engine-per-sync"), std::string::npos) << "lists the known faults";
}

TEST(ParseDaemonOptions, RemoteNeedsAllowRemote) {
  const auto parsed = parse({"--listen", "0.0.0.0:0", "--token-file", "/tmp/t", "--allow-remote"});
  ASSERT_TRUE(std::holds_alternative<DaemonOptions>(parsed));
  EXPECT_EQ(std::get<DaemonOptions>(parsed).listen->host, "0.0.0.0");
}

TEST(Endpoint, ParsesAndPrintsBothForms) {
  EXPECT_EQ(Endpoint::parse("unix:/run/t.sock")->path, "/run/t.sock");
  const auto tcp = Endpoint::parse("http://127.0.0.1:8080");
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->host, "127.0.0.1");
  EXPECT_EQ(tcp->port, 8080);
  EXPECT_EQ(tcp->str(), "http://127.0.0.1:8080");
  EXPECT_EQ(Endpoint::parse("http://[::1]:9")->str(), "http://[::1]:9");
  for (const char* text : {"", "unix:", "/run/t.sock", "http://host", "http://h:0", "ftp://h:1"}) {
    EXPECT_FALSE(Endpoint::parse(text)) << text;
  }
}

}  // namespace
}  // namespace tracker
