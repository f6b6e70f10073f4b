// leakgate run: replay scenarios against their daemons and judge them against budgets.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "leakgate/client_operations.h"
#include "leakgate/runner.h"
#include "leakgate/scenario_parser.h"
#include "report_dir.h"
#include "scenario_files.h"
#include "subcommand.h"

namespace leakgate::cli {
namespace {

struct RunArgs {
  ScenarioFiles scenarios;
  std::string report_dir = default_report_dir();
  int iterations = 0;
  std::string duration;
  bool keep = false;
  bool json = false;
  bool ctest = false;
  bool quiet = false;
  std::vector<std::string> profile;
  double sample_hz = -1;
  bool no_inject = false;
  std::string baseline;

  void add_options(CLI::App& command) {
    scenarios.add_files_option(command);
    add_report_dir_option(command, report_dir,
                          "Where result.json, the HTML pages and history.db go");
    scenarios.add_var_option(command);
    command.add_option("--iterations", iterations, "Override the scenario's measured iterations")
        ->check(CLI::Range(1, 100000));
    command.add_option("--duration", duration,
                       "Run the measured iterations for this long, e.g. 10m or 90s (a soak; "
                       "overrides the scenario's iterations and duration)");
    command.add_flag("--keep", keep, "Keep each test's work directory (daemon files, logs)");
    command.add_flag(
        "--json", json,
        "Print the results as JSON on stdout, alone (verdicts go to stderr, no progress)");
    command.add_flag("--quiet", quiet, "No progress output, only verdicts");
    command.add_flag("--ctest", ctest, "Print CTest measurement tags for dashboards");
    command
        .add_option("--sample-hz", sample_hz,
                    "Override the scenario's sampling rate (0: no sampling thread, only "
                    "snapshots and checkpoints)")
        ->check(CLI::Range(0.0, 10000.0));
    command.add_flag("--no-inject", no_inject,
                     "Ignore daemon.inject: a regression scenario must then fail with "
                     "'expected violation not observed'");
    command
        .add_option("--baseline", baseline,
                    "Results from another machine (results.json, a history export, or a "
                    "directory of them) for regress: budgets when the history has no baseline")
        ->envname("LEAKGATE_BASELINE")
        ->check(CLI::ExistingPath);
    command
        .add_option("--profile", profile,
                    "Heap profiles (gperftools), comma-separated: 'heap' (the daemon), "
                    "'client-heap' (this harness process, where client steps run)")
        ->delimiter(',')
        ->check(CLI::IsMember({"heap", "client-heap"}));
  }
};

// --report-dir must take a file before anything runs: creates the directory and a probe
// file in it. "" when it can, else why not.
std::string report_dir_problem(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return "cannot create it: " + error.message();
  const std::string probe = (dir / ".leakgate-write-probe-XXXXXX").string();
  std::vector<char> name(probe.begin(), probe.end());
  name.push_back('\0');
  const int fd = mkstemp(name.data());
  if (fd < 0) return std::string("cannot write in it: ") + std::strerror(errno);
  close(fd);
  unlink(name.data());
  return {};
}

// --json: stdout is the JSON and nothing else. While the scenarios run, whatever the run
// writes to stdout (verdict lines, --ctest tags, a child that inherited the descriptor)
// goes to stderr; the destructor puts stdout back.
class StdoutToStderr {
 public:
  StdoutToStderr() {
    std::fflush(stdout);
    saved_ = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved_ >= 0) dup2(STDERR_FILENO, STDOUT_FILENO);
  }
  ~StdoutToStderr() {
    if (saved_ < 0) return;
    std::fflush(stdout);
    dup2(saved_, STDOUT_FILENO);
    close(saved_);
  }
  StdoutToStderr(const StdoutToStderr&) = delete;
  StdoutToStderr& operator=(const StdoutToStderr&) = delete;

 private:
  int saved_ = -1;
};

void on_stop_signal(int signo) {
  request_interrupt(signo);
  // A second signal ends the harness the ordinary way.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
}

int run(const RunArgs& args) {
  RunOptions options;
  options.report_dir = args.report_dir;
  options.keep_workdir = args.keep;
  options.print_measurements = args.ctest;
  // CLI11 has split the list and checked each name.
  for (const auto& what : args.profile) {
    if (what == "heap") options.profile_daemon_heap = true;
    if (what == "client-heap") options.profile_client_heap = true;
  }
  if (args.iterations > 0) options.iterations = args.iterations;
  if (!args.duration.empty()) {
    try {
      options.duration = parse_duration(args.duration);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "leakgate run: --duration %s: %s\n", args.duration.c_str(), e.what());
      return 2;
    }
    if (options.duration->count() <= 0 || options.iterations) {
      std::fprintf(
          stderr, "leakgate run: --duration %s: %s\n", args.duration.c_str(),
          options.iterations ? "and --iterations together (one of them)" : "must be longer than 0");
      return 2;
    }
  }
  if (args.sample_hz >= 0) options.sample_hz = args.sample_hz;
  options.drop_injections = args.no_inject;
  options.baseline_results = args.baseline;
  if (args.quiet || args.json) options.progress = RunOptions::Progress::kQuiet;
  const auto loaded = args.scenarios.load(options.vars, "leakgate run");
  if (!loaded) return 2;
  const std::vector<Scenario>& scenarios = *loaded;
  if (const std::string problem = report_dir_problem(options.report_dir); !problem.empty()) {
    std::fprintf(stderr, "leakgate run: --report-dir %s: %s\n", options.report_dir.string().c_str(),
                 problem.c_str());
    return 2;
  }

  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  int exit_code = 0;
  int unpublished = 0;
  nlohmann::json summary = nlohmann::json::array();
  std::vector<std::pair<std::string, std::string>> table;
  {
    std::optional<StdoutToStderr> json_only;
    if (args.json) json_only.emplace();
    for (const auto& scenario : scenarios) {
      if (interrupt_requested()) break;
      const RunOutcome outcome = run_scenario(scenario, options);
      if (outcome.exit_code > exit_code) exit_code = outcome.exit_code;
      const std::string test = "leak." + scenario.name;
      if (!outcome.publish_error.empty()) {
        // After the verdict the runner printed: it stands, only its report is missing.
        std::fflush(stdout);
        std::fprintf(stderr, "leakgate run: %s: its report was not written: %s\n", test.c_str(),
                     outcome.publish_error.c_str());
        ++unpublished;
        summary.push_back({{"test", test},
                           {"verdict", outcome.verdict},
                           {"exit_code", outcome.exit_code},
                           {"publish_error", outcome.publish_error}});
        table.emplace_back(test, outcome.verdict + " (not published)");
        continue;
      }
      table.emplace_back(test, outcome.verdict);  // the judge's, not read back
      if (!args.json) continue;
      // --json: the results as published (reports:: filled in their history), read back.
      std::ifstream in(outcome.result_path);
      auto result = nlohmann::json::parse(in, nullptr, false);
      if (!result.is_discarded()) {
        result.erase("timeline");
        summary.push_back(result);
      }
    }
  }
  if (interrupt_requested() && exit_code == 0) exit_code = 1;
  // A verdict of 1 says more than a missing report: 2 only when everything passed.
  if (unpublished > 0 && exit_code == 0) exit_code = 2;
  if (args.json) {
    std::printf("%s\n", summary.dump(2).c_str());
  } else if (scenarios.size() > 1) {
    int passed = 0;
    std::printf("\n%-40s %s\n", "test", "verdict");
    for (const auto& [test, verdict] : table) {
      std::printf("%-40s %s\n", test.c_str(), verdict.c_str());
      passed += verdict == "pass";
    }
    std::printf("%d passed, %zu failed\n", passed, table.size() - passed);
  }
  if (unpublished == 0) {
    std::fprintf(stderr, "report: %s/index.html\n", options.report_dir.string().c_str());
  } else {
    std::fprintf(stderr, "leakgate run: %d of %zu reports not written into %s (exit %d)\n",
                 unpublished, table.size(), options.report_dir.string().c_str(), exit_code);
  }
  return exit_code;
}

}  // namespace

void define_run_command(CLI::App& command, int* exit_code) {
  define_subcommand<RunArgs>(command, exit_code, run);
}

}  // namespace leakgate::cli
