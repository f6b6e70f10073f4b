// leakgate session open|close: one run id for one `ctest` invocation (leakgate/reports/
// run_session.h). leakgate_add_scenarios() and leakgate_discover_leak_tests() register both
// as a CTest fixture around their tests, so no wrapper script is needed.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "commands.h"
#include "leakgate/reports/publish.h"
#include "leakgate/reports/run_session.h"
#include "report_dir.h"
#include "subcommand.h"

namespace leakgate::cli {
namespace {

struct SessionOptions {
  std::string report_dir = default_report_dir();
  std::string project_dir;
  std::string commit;
};

int open_session(const SessionOptions& options) {
  const reports::RunSession session =
      reports::open_run_session(options.report_dir, options.project_dir, options.commit);
  std::printf("leakgate session: run %s opened in %s (commit %s)\n", session.run_id.c_str(),
              options.report_dir.c_str(),
              session.project_commit.empty() ? "unknown" : session.project_commit.c_str());
  return 0;
}

int close_session(const SessionOptions& options) {
  const auto session = reports::read_run_session(options.report_dir);
  if (!reports::close_run_session(options.report_dir) || !session) {
    std::printf("leakgate session: no run was open in %s\n", options.report_dir.c_str());
    return 0;
  }
  const std::filesystem::path index = std::filesystem::path(options.report_dir) / "index.html";
  if (std::filesystem::exists(std::filesystem::path(options.report_dir) / "results.json") ||
      std::filesystem::exists(index))
    reports::regenerate_index(options.report_dir);
  std::printf("leakgate session: run %s closed; report: %s\n", session->run_id.c_str(),
              std::filesystem::absolute(index).string().c_str());
  return 0;
}

}  // namespace

void define_session_command(CLI::App& command, int* exit_code) {
  command.require_subcommand(1);
  auto [open, opened] = add_subcommand<SessionOptions>(
      command, exit_code, open_session, "open", "start a run (replaces an earlier open one)");
  auto [close, closed] = add_subcommand<SessionOptions>(command, exit_code, close_session, "close",
                                                        "end the run and render the index");
  add_report_dir_option(open, opened.report_dir, "report directory");
  add_report_dir_option(close, closed.report_dir, "report directory");
  open.add_option("--project-dir", opened.project_dir,
                  "the project whose commit the results name (git rev-parse there)");
  open.add_option("--commit", opened.commit,
                  "the project's commit, when it is no git work tree ($LEAKGATE_GIT_COMMIT too)");
}

}  // namespace leakgate::cli
