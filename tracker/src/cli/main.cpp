// tracker: the command-line client for trackerd. See `tracker --help`.
#include <CLI/CLI.hpp>

#include "cli_context.h"
#include "daemon_commands.h"
#include "issue_commands.h"

namespace {

constexpr const char* kFooter =
    "\nEnvironment:\n"
    "  TRACKER_ENDPOINT   same as --endpoint\n"
    "  TRACKER_INJECT     session-per-call: open a new client session for every call and\n"
    "                     never close it (a deliberate leak for testing leak detectors)\n"
    "\nGlobal options go before or after the command: `tracker --json issue list` and\n"
    "`tracker issue list --json` are the same.\n"
    "\nExit codes:\n"
    "  0 ok   1 server or connection error   2 usage error   3 daemon not running (status)\n"
    "  4 no such issue   5 input rejected by the daemon   6 missing or wrong token\n"
    "\nExamples:\n"
    "  tracker daemon start\n"
    "  tracker issue add \"Crash on start\" --label bug --priority 3\n"
    "  tracker issue list --status open --label bug\n"
    "  tracker issue close 1\n"
    "  tracker daemon stop\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace tracker::cli;
  GlobalOptions options;
  CliContext context(options);

  CLI::App app{"tracker: file and follow issues in trackerd", "tracker"};
  app.footer(kFooter);
  app.require_subcommand(1);
  // Global options are accepted after the subcommand too (`tracker issue list --json`, as gh
  // and kubectl users type them): an option a subcommand does not know falls through to its
  // parent. Inherited by every subcommand created below, so it must come before them.
  app.fallthrough();
  app.add_option("-e,--endpoint", options.endpoint,
                 "unix:/path/to.sock or http://127.0.0.1:PORT (default: "
                 "unix:$XDG_RUNTIME_DIR/tracker/trackerd.sock, else "
                 "unix:/tmp/tracker-$UID/trackerd.sock)")
      ->envname("TRACKER_ENDPOINT");
  app.add_option("--token-file", options.token_file,
                 "bearer token for TCP endpoints (default: token beside the pidfile)");
  app.add_option("--trackerd", options.trackerd,
                 "trackerd executable for `daemon start` (default: next to tracker)");
  app.add_flag("--json", options.json, "machine-readable JSON output");
  // The command tree's top level, in the order of --help.
  add_issue_commands(
      add_command_group(app, "issue", "create, list, show, close, reopen, remove issues"), context);
  add_stats_command(app, context);
  add_daemon_commands(
      add_command_group(app, "daemon", "start, stop or check the background trackerd"), context);

  try {
    app.parse(argc, argv);  // the chosen command runs as a callback and keeps its exit code
  } catch (const CLI::Success& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return kExitUsage;
  }
  return context.exit_code();
}
