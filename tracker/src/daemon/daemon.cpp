#include "daemon.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "http_api.h"
#include "listener.h"
#include "shutdown_latch.h"
#include "signal_watcher.h"
#include "storage/engine.h"
#include "sync_loop.h"

namespace tracker {
namespace {

using Clock = std::chrono::steady_clock;

void log(const std::string& message) { std::fprintf(stderr, "trackerd: %s\n", message.c_str()); }

void announce_ready(const Endpoint& endpoint) {
  const nlohmann::json line{{"event", "ready"}, {"pid", ::getpid()}, {"endpoint", endpoint.str()}};
  std::fputs((line.dump() + "\n").c_str(), stdout);
  std::fflush(stdout);
}

void configure(httplib::Server& server, const DaemonOptions& options) {
  const int workers = options.workers;
  server.new_task_queue = [workers] {
    return new httplib::ThreadPool(static_cast<size_t>(workers));
  };
  // An idle keep-alive connection holds a worker until this timeout; 1 s bounds shutdown.
  server.set_keep_alive_timeout(1);
  server.set_keep_alive_max_count(10000);
  // Without it, a response written as headers + body waits on Nagle and delayed ACKs (~40 ms).
  if (options.listen) server.set_tcp_nodelay(true);
  server.set_read_timeout(5);
  server.set_write_timeout(5);
}

bool wait_until_running(const httplib::Server& server, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!server.is_running()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace

int run_daemon(const DaemonOptions& options) {
  if (options.db_path.has_parent_path()) {
    std::filesystem::create_directories(options.db_path.parent_path());
  }
  auto engine = std::make_unique<Engine>(options.db_path);

  std::optional<std::string> token;
  if (options.listen) {
    token = generate_token();
    write_token_file(options.token_file, *token);
  }

  ShutdownLatch shutdown;
  SyncLoop sync_loop(*engine, {.interval = options.sync_interval,
                               .export_path = options.export_path,
                               .engine_per_sync = options.faults.engine_per_sync});
  httplib::Server server;
  configure(server, options);
  const ApiContext context{*engine, sync_loop, shutdown, options.faults, token};
  install_api(server, context);
  const BoundEndpoint bound = BoundEndpoint::bind(server, options);

  sync_loop.start();
  std::thread server_thread([&server] { server.listen_after_bind(); });
  SignalWatcher signals([&shutdown](int signo) {
    if (signo == SIGHUP) return log("SIGHUP ignored: nothing to reload");
    shutdown.request(std::string("signal ") + sigabbrev_np(signo));
  });
  if (!wait_until_running(server, std::chrono::seconds(10))) {
    log("the HTTP server did not start");
    shutdown.request("startup failure");
  } else {
    announce_ready(bound.endpoint());
    log("listening on " + bound.endpoint().str() + ", database " + options.db_path.string());
  }

  const std::string reason = shutdown.wait();
  const auto stop_started = Clock::now();
  log("shutting down (" + reason + ")");
  server.stop();         // stops accepting; in-flight requests finish
  server_thread.join();  // the thread pool is joined inside listen_after_bind
  if (options.faults.no_shutdown_cleanup) {
    log("fault injection no-shutdown-cleanup: exiting without cleanup");
    std::fflush(stderr);
    std::_Exit(kExitOk);  // sync thread still running, engine still open, counters live
  }
  sync_loop.stop();
  engine.reset();  // before the counter publisher's at-exit snapshot
  bound.remove_socket();
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - stop_started);
  log("stopped cleanly in " + std::to_string(elapsed.count()) + " ms");
  return reason == "startup failure" ? kExitFailure : kExitOk;
}

}  // namespace tracker
