// leakgate: leak-regression harness. Subcommands live in their own files (commands.h).
#include <cstdio>
#include <exception>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "leakgate: run daemon scenarios under resource budgets (fds, RSS, heap, threads,\n"
      "counted objects) and report what leaked and where it was created."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "leakgate 0.1.0");
  int exit_code = 0;
  leakgate::cli::add_probe_command(app, &exit_code);
  leakgate::cli::add_run_command(app, &exit_code);
  leakgate::cli::add_calibrate_command(app, &exit_code);
  leakgate::cli::add_time_limit_command(app, &exit_code);
  leakgate::cli::add_report_commands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leakgate: %s\n", e.what());
    return 2;
  }
  return exit_code;
}
