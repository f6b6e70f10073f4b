// leakgate: leak-regression harness. Subcommands live in their own files (commands.h).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "command_line_typos.h"
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
  leakgate::cli::add_session_command(app, &exit_code);
  leakgate::cli::add_report_commands(app, &exit_code);
  // A typo is named as one, before CLI11 reads what follows it as something else.
  if (const std::string typo =
          leakgate::cli::first_unknown_word(app, std::vector<std::string>(argv + 1, argv + argc));
      !typo.empty()) {
    std::fprintf(stderr, "%s\n", typo.c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const leakgate::cli::CommandError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leakgate: %s\n", e.what());
    return 2;
  }
  return exit_code;
}
