#include "daemon_commands.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "daemon_spawn.h"

namespace tracker::cli {
namespace {

struct DaemonArgs {
  std::string db;
  std::string sync_interval;
  std::string export_path;
  std::string inject;
  int timeout_ms = 10000;
};

std::filesystem::path pidfile(const CliContext& context) {
  return context.state_dir() / "trackerd.pid";
}

// The running daemon's pid: from the pidfile, else from /health (a daemon started by hand).
std::optional<pid_t> running_pid(const CliContext& context) {
  if (auto pid = read_pidfile(pidfile(context)); pid && is_trackerd_running(*pid)) return pid;
  try {
    Client client(context.endpoint().str());
    const auto pid = static_cast<pid_t>(client.health().pid);
    if (is_trackerd_running(pid)) return pid;
  } catch (const ClientError&) {
  }
  return std::nullopt;
}

std::vector<std::string> trackerd_command(const CliContext& context, const DaemonArgs& args) {
  const Endpoint endpoint = context.endpoint();
  std::vector<std::string> argv{context.trackerd_path().string()};
  if (endpoint.kind == Endpoint::Kind::kUnix) {
    argv.insert(argv.end(), {"--socket", endpoint.path});
  } else {
    const bool ipv6 = endpoint.host.find(':') != std::string::npos;
    const std::string host = ipv6 ? "[" + endpoint.host + "]" : endpoint.host;
    argv.insert(argv.end(), {"--listen", host + ":" + std::to_string(endpoint.port), "--token-file",
                             context.token_file().string()});
  }
  if (!args.db.empty()) argv.insert(argv.end(), {"--db", args.db});
  if (!args.sync_interval.empty()) argv.insert(argv.end(), {"--sync-interval", args.sync_interval});
  if (!args.export_path.empty()) argv.insert(argv.end(), {"--export", args.export_path});
  if (!args.inject.empty()) argv.insert(argv.end(), {"--inject", args.inject});
  return argv;
}

int start(const CliContext& context, const DaemonArgs& args) {
  if (auto pid = running_pid(context)) {
    std::cout << "trackerd already running (pid " << *pid << ") at " << context.endpoint().str()
              << "\n";
    return kExitOk;
  }
  const auto state_dir = context.state_dir();
  std::filesystem::create_directories(state_dir);
  ::chmod(state_dir.c_str(), 0700);
  const ReadyDaemon daemon =
      spawn_detached(trackerd_command(context, args), state_dir / "trackerd.log",
                     std::chrono::milliseconds(args.timeout_ms));
  write_pidfile(pidfile(context), daemon.pid);
  if (context.json()) {
    std::cout << nlohmann::json{{"pid", daemon.pid}, {"endpoint", daemon.endpoint}}.dump() << "\n";
  } else {
    std::cout << daemon.endpoint << "\n";
  }
  return kExitOk;
}

int stop(const CliContext& context, const DaemonArgs& args) {
  const auto pid = running_pid(context);
  if (!pid) {
    std::cout << "trackerd not running\n";
    std::filesystem::remove(pidfile(context));
    return kExitOk;
  }
  if (::kill(*pid, SIGTERM) != 0 && errno != ESRCH) {
    std::cerr << "tracker: cannot signal pid " << *pid << ": " << std::strerror(errno) << "\n";
    return kExitFailure;
  }
  if (!wait_until_gone(*pid, std::chrono::milliseconds(args.timeout_ms))) {
    std::cerr << "tracker: trackerd (pid " << *pid << ") still running after " << args.timeout_ms
              << " ms\n";
    return kExitFailure;
  }
  std::filesystem::remove(pidfile(context));
  std::cout << "trackerd stopped (pid " << *pid << ")\n";
  return kExitOk;
}

int status(const CliContext& context, const DaemonArgs& /*it has no option*/) {
  try {
    Client client(context.endpoint().str());
    const Health health = client.health();
    if (context.json()) {
      std::cout << nlohmann::json{{"running", true},
                                  {"pid", health.pid},
                                  {"endpoint", context.endpoint().str()}}
                       .dump()
                << "\n";
    } else {
      std::cout << "trackerd running (pid " << health.pid << ") at " << context.endpoint().str()
                << "\n";
    }
    return kExitOk;
  } catch (const ClientError& error) {
    if (context.json()) {
      std::cout << nlohmann::json{{"running", false}, {"endpoint", context.endpoint().str()}}.dump()
                << "\n";
    } else {
      std::cout << "trackerd not running at " << context.endpoint().str() << "\n";
    }
    return kExitNotRunning;
  }
}

}  // namespace

void add_daemon_commands(CLI::App& group, CliContext& context) {
  CommandGroup<DaemonArgs> daemon(group, context);
  DaemonArgs& args = daemon.args();

  CLI::App& start_command = daemon.add(
      "start", "start trackerd in the background, wait until it is ready, print its endpoint",
      start);
  start_command.add_option("--db", args.db, "database file (trackerd's default if unset)");
  start_command.add_option("--sync-interval", args.sync_interval, "e.g. 10ms, 5s");
  start_command.add_option("--export", args.export_path, "JSON export rewritten every sync");
  start_command.add_option("--inject", args.inject,
                           "deliberate leaks for testing leak detectors (see trackerd --help)");
  start_command.add_option("--timeout-ms", args.timeout_ms, "how long to wait for readiness")
      ->capture_default_str();

  daemon.add("stop", "send SIGTERM and wait until trackerd has exited", stop)
      .add_option("--timeout-ms", args.timeout_ms, "how long to wait for the exit")
      ->capture_default_str();

  daemon.add("status", "exit 0 if trackerd answers at the endpoint, 3 if not", status);
}

}  // namespace tracker::cli
