#include "daemon_test.h"

#include <sys/socket.h>

#include <fstream>
#include <thread>

#include <httplib.h>

#include "tracker/endpoint.h"

namespace tracker::testing {

RawReply raw_request(const std::string& endpoint_text, const std::string& method,
                     const std::string& path, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers) {
  const auto endpoint = Endpoint::parse(endpoint_text);
  if (!endpoint) throw std::invalid_argument("bad endpoint " + endpoint_text);
  httplib::Client http = endpoint->kind == Endpoint::Kind::kUnix
                             ? httplib::Client(endpoint->path, 80)
                             : httplib::Client(endpoint->host, endpoint->port);
  if (endpoint->kind == Endpoint::Kind::kUnix) http.set_address_family(AF_UNIX);
  http.set_read_timeout(std::chrono::seconds(5));
  httplib::Request request;
  request.method = method;
  request.path = path;
  request.body = body;
  if (!body.empty()) request.set_header("Content-Type", "application/json");
  for (const auto& [key, value] : headers) request.set_header(key, value);
  auto result = http.send(request);
  if (!result) return {};
  return RawReply{result->status, result->body, result->get_header_value("Content-Type")};
}

bool eventually(const std::function<bool()>& condition, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return condition();
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

int64_t open_fds(pid_t pid) {
  int64_t count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++count;
  }
  return count;
}

int64_t thread_count(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoll(line.substr(8));
  }
  return -1;
}

TrackerdProcess& DaemonTest::start(std::vector<std::string> extra) {
  std::vector<std::string> args{"--socket",   socket_.string(),  "--db",
                                db_.string(), "--sync-interval", "20ms"};
  args.insert(args.end(), extra.begin(), extra.end());
  daemon_ = std::make_unique<TrackerdProcess>(
      std::move(args), log_, std::map<std::string, std::string>{{"LEAKGATE_COUNTERS", counters_}});
  return *daemon_;
}

void DaemonTest::restart(std::vector<std::string> extra) {
  if (daemon_ && daemon_->pid() > 0) {
    const ExitStatus status = daemon_->stop(SIGTERM);
    ASSERT_TRUE(status.exited && status.code == 0) << daemon_->log();
  }
  start(std::move(extra));
}

}  // namespace tracker::testing
