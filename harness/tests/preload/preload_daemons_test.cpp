// libleakgate_preload.so in daemons nobody here wrote: Debian's redis-server (linked with
// libjemalloc.so.2), nginx with a master and a worker (SIGUSR2 is its binary-upgrade signal),
// and an executable with its own allocator linked in (own_malloc.c). Real processes; a daemon
// that is not installed skips its test.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "leakgate/counter_file.h"
#include "leakgate/live_dump.h"
#include "leakgate/unique_fd.h"
#include "spawn/daemon_preload.h"
#include "spawn/live_objects_request.h"
#include "../support/test_dir.h"

extern char** environ;

namespace leakgate {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int free_port() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return -1;
  }
  return ntohs(address.sin_port);
}

UniqueFd connect_to(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return {};
  return fd;
}

// A process started with the preload library publishing into `counters`; stdout and stderr
// go to files. Killed (its group too) and reaped at the end of the test.
struct Spawned {
  pid_t pid = -1;
  Spawned(const std::vector<std::string>& argv, const std::string& counters, const fs::path& out,
          int stdin_fd = -1) {
    std::vector<std::string> env_strings = {"LD_PRELOAD=" LEAKGATE_TEST_PRELOAD_LIB,
                                            "LEAKGATE_COUNTERS=" + counters, "LEAKGATE_STACKS=1",
                                            "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    std::vector<char*> env;
    for (auto& entry : env_strings) env.push_back(entry.data());
    env.push_back(nullptr);
    std::vector<std::string> args = argv;
    std::vector<char*> raw;
    for (auto& arg : args) raw.push_back(arg.data());
    raw.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    const std::string out_path = out.string();
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    if (posix_spawnp(&pid, raw[0], &actions, &attr, raw.data(), env.data()) != 0) pid = -1;
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Spawned() {
    if (pid <= 0) return;
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  bool running() { return pid > 0 && ::waitpid(pid, nullptr, WNOHANG) == 0; }
  // Waits (up to 10 s) until the port accepts.
  bool wait_port(int port) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline && running()) {
      if (connect_to(port)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

std::optional<int64_t> heap_of(const std::string& counters) {
  const auto reader = CounterFileReader::open(counters);
  return reader ? reader->read().heap : std::nullopt;
}

// The figure once it stopped moving (the publisher refreshes it every 2 ms; redis allocates
// a little in its cron too): two reads 50 ms apart that agree within 1 KiB.
std::optional<int64_t> settled_heap(const std::string& counters) {
  std::optional<int64_t> last;
  for (int i = 0; i < 40; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const auto now = heap_of(counters);
    if (now && last && std::llabs(*now - *last) < 1024) return now;
    last = now;
  }
  return last;
}

TEST(PreloadDaemons, RedisWithJemallocRunsAndItsHeapFollowsEverySet) {
  if (!fs::exists("/usr/bin/redis-server")) GTEST_SKIP() << "redis-server is not installed";
  const testing::TestDir scope{"preload-redis"};  // declared first: removed after its processes
  const fs::path& dir = scope.path();
  const std::string counters = (dir / "counters").string();
  {
    Spawned version({"redis-server", "--version"}, counters, dir / "version.out");
    ASSERT_GT(version.pid, 0);
    int status = 0;
    ASSERT_EQ(::waitpid(version.pid, &status, 0), version.pid);
    version.pid = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "status " << status << ": " << read_file(dir / "version.out");
  }
  const int port = free_port();
  Spawned redis({"redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1", "--save",
                 "", "--appendonly", "no", "--dir", dir.string(), "--loglevel", "warning"},
                counters, dir / "redis.out");
  ASSERT_TRUE(redis.wait_port(port)) << read_file(dir / "redis.out");
  UniqueFd client = connect_to(port);
  ASSERT_TRUE(client);
  const std::string value(16384, 'v');
  const auto set = [&](int i) {
    const std::string key = "key:" + std::to_string(i);
    const std::string command = "*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" + key +
                                "\r\n$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
    ASSERT_EQ(::write(client.get(), command.data(), command.size()),
              static_cast<ssize_t>(command.size()));
    char reply[16] = {};
    ASSERT_EQ(::read(client.get(), reply, 5), 5);
    ASSERT_STREQ(reply, "+OK\r\n");
  };
  for (int i = 0; i < 5; ++i) set(i);  // the client's query buffer, the dict's first tables
  const auto before = settled_heap(counters);
  ASSERT_TRUE(before.has_value()) << "no heap figure in " << counters;
  constexpr int kSets = 20;
  for (int i = 5; i < 5 + kSets; ++i) set(i);
  const auto after = settled_heap(counters);
  ASSERT_TRUE(after.has_value());
  const double per_set = static_cast<double>(*after - *before) / kSets;
  // A 16 KiB value is an sds of 16 KiB + header: jemalloc's 20 KiB size class, plus the key
  // and its dict entry.
  EXPECT_GE(per_set, 16384) << "before " << *before << ", after " << *after;
  EXPECT_LE(per_set, 24576) << "before " << *before << ", after " << *after;
  // The sampled sites, asked on the dump channel: the values' bytes are there.
  const auto dump = request_preload_dump(redis.pid, counters, std::chrono::seconds(10));
  ASSERT_TRUE(dump.has_value());
  const auto json = nlohmann::json::parse(*dump, nullptr, false);
  int64_t sampled = 0;
  for (const auto& site : json.value("heap_sites", nlohmann::json::array()))
    sampled += site.value("bytes", int64_t{0});
  EXPECT_GE(sampled, int64_t{16384} * kSets / 2) << *dump;
  EXPECT_TRUE(redis.running());
}

TEST(PreloadDaemons, NginxAnswersADumpWithoutItsBinaryUpgradeSignal) {
  if (!fs::exists("/usr/sbin/nginx")) GTEST_SKIP() << "nginx is not installed";
  const testing::TestDir scope{"preload-nginx"};  // declared first: removed after its processes
  const fs::path& dir = scope.path();
  const std::string counters = (dir / "counters").string();
  const int port = free_port();
  std::ofstream(dir / "nginx.conf")
      << "master_process on;\nworker_processes 1;\npid " << (dir / "nginx.pid").string() << ";\n"
      << "events { worker_connections 64; }\n"
      << "http {\n  access_log off;\n"
      << "  client_body_temp_path " << (dir / "body").string() << ";\n"
      << "  proxy_temp_path " << (dir / "proxy").string() << ";\n"
      << "  fastcgi_temp_path " << (dir / "fastcgi").string() << ";\n"
      << "  uwsgi_temp_path " << (dir / "uwsgi").string() << ";\n"
      << "  scgi_temp_path " << (dir / "scgi").string() << ";\n"
      << "  server { listen 127.0.0.1:" << port << "; location / { return 200 \"ok\\n\"; } }\n}\n";
  const fs::path error_log = dir / "error.log";
  Spawned nginx({"/usr/sbin/nginx", "-g", "daemon off; error_log " + error_log.string() + " info;",
                 "-p", dir.string(), "-c", (dir / "nginx.conf").string(), "-e", error_log.string()},
                counters, dir / "nginx.out");
  ASSERT_TRUE(nginx.wait_port(port)) << read_file(dir / "nginx.out") << read_file(error_log);
  const auto started = std::chrono::steady_clock::now();
  const auto dump = request_preload_dump(nginx.pid, counters, std::chrono::seconds(10));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(dump.has_value()) << read_file(error_log);
  EXPECT_LT(took, std::chrono::seconds(3));
  const auto json = nlohmann::json::parse(*dump, nullptr, false);
  EXPECT_TRUE(json.is_object()) << *dump;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a signal's log line
  const std::string log = read_file(error_log);
  EXPECT_EQ(log.find("[crit]"), std::string::npos) << log;
  EXPECT_EQ(log.find("signal"), std::string::npos) << log;
  EXPECT_TRUE(nginx.running());
  EXPECT_TRUE(connect_to(port));
}

// An allocator in the executable: the hooks never run. The library says so on stderr and
// publishes no heap figure; the fds are still counted; the harness says so before the start.
TEST(PreloadDaemons, ExecutableWithItsOwnAllocatorRunsWithoutAHeapFigure) {
  const testing::TestDir scope{"preload-own-malloc"};  // declared first: removed after its processes
  const fs::path& dir = scope.path();
  const std::string counters = (dir / "counters").string();
  int in[2];
  ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
  Spawned child({LEAKGATE_TEST_OWN_MALLOC}, counters, dir / "out", in[0]);
  ::close(in[0]);
  UniqueFd to_child(in[1]);
  ASSERT_GT(child.pid, 0);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(::write(to_child.get(), "go\n", 3), 3);
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline &&
         out.find("ok\nok\nok\n") == std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    out = read_file(dir / "out");
  }
  EXPECT_NE(out.find("{\"event\":\"ready\"}\nok\nok\nok\n"), std::string::npos) << out;
  EXPECT_NE(out.find("malloc is defined by"), std::string::npos) << out;
  const auto reader = CounterFileReader::open(counters);
  ASSERT_TRUE(reader.has_value());
  const CounterSnapshot snapshot = reader->read();
  EXPECT_FALSE(snapshot.heap.has_value()) << *snapshot.heap;
  EXPECT_NE(snapshot.find("fds"), nullptr);
  EXPECT_TRUE(child.running());

  const auto limit = preload_heap_limit({LEAKGATE_TEST_OWN_MALLOC});
  ASSERT_TRUE(limit.has_value());
  EXPECT_NE(limit->find("defines malloc itself"), std::string::npos) << *limit;
  EXPECT_FALSE(preload_heap_limit({"/bin/sh"}).has_value());
  if (fs::exists("/usr/bin/redis-server")) {  // jemalloc in a shared library: interposable
    EXPECT_FALSE(preload_heap_limit({"redis-server"}).has_value());
  }
}

}  // namespace
}  // namespace leakgate
