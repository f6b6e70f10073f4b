// What every `tracker` command shares: global options, the client, exit codes, how a failure
// is reported, and how a command or a group of them registers.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "tracker/client.h"
#include "tracker/endpoint.h"

namespace tracker::cli {

// Exit codes (documented in `tracker --help`).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;       // server or connection error
inline constexpr int kExitUsage = 2;         // bad command line
inline constexpr int kExitNotRunning = 3;    // daemon status: not running
inline constexpr int kExitNotFound = 4;      // no such issue
inline constexpr int kExitRejected = 5;      // the daemon rejected the input (HTTP 400/413)
inline constexpr int kExitUnauthorized = 6;  // missing or wrong token (HTTP 401)

struct GlobalOptions {
  std::string endpoint;    // --endpoint / TRACKER_ENDPOINT; empty: default_endpoint()
  std::string token_file;  // --token-file; default: <state dir>/token for TCP endpoints
  std::string trackerd;    // --trackerd; default: next to this executable
  bool json = false;       // --json: machine-readable output
};

class CliContext {
 public:
  explicit CliContext(const GlobalOptions& options) : options_(options) {}

  Endpoint endpoint() const;
  // Where the pidfile, log and default token file live: the socket's directory, or
  // $XDG_RUNTIME_DIR/tracker (else /tmp/tracker-$UID) for TCP endpoints.
  std::filesystem::path state_dir() const;
  std::filesystem::path token_file() const;
  std::filesystem::path trackerd_path() const;
  bool json() const { return options_.json; }

  // A client for the endpoint; TRACKER_INJECT=session-per-call turns on the historical bug.
  Client make_client() const;

  // Runs `command`, turning ClientError into a message on stderr and an exit code.
  static int guarded(const std::function<int()>& command);
  // A subcommand of `parent` that, once parsed, runs `body` guarded and keeps its exit code.
  CLI::App& add_command(CLI::App& parent, std::string name, std::string description,
                        std::function<int()> body);
  // The exit code of the command that ran; kExitOk before one has.
  int exit_code() const { return exit_code_; }

 private:
  const GlobalOptions& options_;
  int exit_code_ = kExitOk;
};

// A command group such as `tracker issue` on `parent`: one of its commands is required. main()
// names each group and says what it does; its file adds the commands (CommandGroup).
CLI::App& add_command_group(CLI::App& parent, std::string name, std::string description);

// The commands of a group made by add_command_group: they bind their options to one Args,
// which lives as long as the app (CLI11 binds to its fields).
template <typename Args>
class CommandGroup {
 public:
  CommandGroup(CLI::App& group, CliContext& context) : app_(group), context_(context) {}

  CLI::App& app() { return app_; }
  Args& args() { return *args_; }

  // A command `name` that, once parsed, runs run(context, args) guarded.
  CLI::App& add(std::string name, std::string description,
                int (*run)(const CliContext&, const Args&)) {
    return context_.add_command(
        app_, std::move(name), std::move(description),
        [&context = context_, args = args_, run] { return run(context, *args); });
  }

 private:
  CLI::App& app_;
  CliContext& context_;
  std::shared_ptr<Args> args_ = std::make_shared<Args>();
};

}  // namespace tracker::cli
