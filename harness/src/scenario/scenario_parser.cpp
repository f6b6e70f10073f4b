// The scenario file as a whole: raw-text checks, YAML syntax, top-level keys, the daemon.
#include "leakgate/scenario_parser.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>

#include "input_guard.h"
#include "leakgate/variables.h"
#include "parser_parts.h"
#include "suggest.h"

namespace leakgate {
namespace {

using namespace detail;

const std::vector<std::string_view> kTopLevelKeys = {
    "name",           "description",  "metrics",           "daemon",
    "warmup",         "iterations",   "sample_hz",         "settle",
    "steps",          "budgets",      "expect_violations", "duration",
    "max_iterations", "max_duration", "known_leaks"};
const std::vector<std::string_view> kDaemonKeys = {
    "command", "ready",   "endpoint",      "counters",     "wrapper",     "inject",          "env",
    "files",   "preload", "ready_timeout", "stop_timeout", "stop_signal", "clean_exit_codes",
    "python",  "cgroup"};
constexpr Millis kMaxTimeout{10 * 60 * 1000};

// yaml-cpp's terse messages, with what usually causes them.
std::string syntax_hint(const std::string& message) {
  if (message == "illegal map value")
    return "a value cannot hold another 'key: value' on the same line; quote strings that contain "
           "': '";
  if (message.find("flow not found") != std::string::npos)
    return "close every '[' with ']' and every '{' with '}'";
  if (message.find("end of map not found") != std::string::npos ||
      message.find("end of sequence not found") != std::string::npos)
    return "check the indentation: items of one list or mapping start in the same column";
  if (message.find("quote") != std::string::npos) return "close every quoted string on its line";
  if (message == "bad file") return "the structure nests too deeply; scenarios nest a few levels";
  return "valid YAML, indented with spaces";
}

YAML::Node load_yaml(std::string_view text, const std::string& file) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    const SourceLocation where{file, e.mark.line >= 0 ? e.mark.line + 1 : 1,
                               e.mark.column >= 0 ? e.mark.column + 1 : 1};
    throw ScenarioError(where, "YAML syntax error: " + e.msg, syntax_hint(e.msg));
  }
}

// max_iterations / max_duration: the limits of `iterations: auto`.
void read_run_until_sure_limit(const YamlReader& reader, const Entry& entry, Scenario& scenario) {
  if (entry.key == "max_iterations")
    scenario.max_iterations = static_cast<int>(read_integer(reader, entry.value, 1, 100000));
  else
    scenario.max_duration = read_duration(reader, entry.value, Millis{1}, Millis{24 * 3600 * 1000});
}

std::string read_name(const YamlReader& reader, const Field& field) {
  std::string name = read_string(reader, field);
  const bool valid =
      !name.empty() && name.size() <= 100 &&
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos;
  if (!valid)
    reader.fail(field, "name: '" + name + "' is not a valid test name",
                "1 to 100 of a-z 0-9 . _ - (the test is called leak.<name>)");
  return name;
}

void read_counters(const YamlReader& reader, const Field& field, DaemonSpec& daemon) {
  const std::string text = read_string(reader, field);
  constexpr std::string_view kPrometheus = "prometheus";
  if (text == "shm")
    daemon.counters = DaemonSpec::Counters::kShm;
  else if (text == "none")
    daemon.counters = DaemonSpec::Counters::kNone;
  else if (text == kPrometheus)
    daemon.counters = DaemonSpec::Counters::kPrometheus;
  else if (text.substr(0, kPrometheus.size() + 2) == "prometheus:/") {
    daemon.counters = DaemonSpec::Counters::kPrometheus;
    daemon.prometheus_path = text.substr(kPrometheus.size() + 1);
  } else {
    reader.fail(field,
                field.path + ": unknown counter source '" + text + "'" +
                    did_you_mean(text, {"shm", "none", "prometheus"}),
                "shm (counter file), prometheus:/metrics (any path), none");
  }
}

// Fault names, passed to the daemon as --inject a,b.
std::vector<std::string> read_inject(const YamlReader& reader, const Field& field) {
  std::vector<std::string> names;
  for (const Field& item : read_sequence(reader, field)) {
    names.push_back(read_string(reader, item));
    if (names.back().empty() || names.back().find_first_of(", ") != std::string::npos)
      reader.fail(item, item.path + ": '" + names.back() + "' is not a fault name",
                  "names without ',' or spaces");
  }
  return names;
}

// The signal that asks the daemon to stop: one it can catch (KILL would skip every exit path).
int read_stop_signal(const YamlReader& reader, const Field& field) {
  const int signo = read_signal_number(reader, field);
  for (int allowed : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2})
    if (signo == allowed) return signo;
  reader.fail(field,
              field.path + ": " + read_string(reader, field) + " cannot stop a daemon gracefully",
              "TERM (the default), INT (daemons that clean up on Ctrl-C), HUP, QUIT, USR1 or USR2");
}

std::vector<int> read_exit_codes(const YamlReader& reader, const Field& field) {
  std::vector<int> codes;
  for (const Field& item : read_sequence(reader, field))
    codes.push_back(static_cast<int>(read_integer(reader, item, 0, 255)));
  return codes;
}

// python: true | false | {tracemalloc: DEPTH}: the Python agent (harness/src/python/).
void read_python(const YamlReader& reader, const Field& field, DaemonSpec& daemon) {
  if (field.node.IsMap()) {
    daemon.python = true;
    for (const Entry& entry : read_mapping(reader, field, {"tracemalloc"}))
      daemon.python_tracemalloc = static_cast<int>(read_integer(reader, entry.value, 1, 100));
    return;
  }
  daemon.python = read_bool(reader, field);
}

DaemonSpec read_daemon(const YamlReader& reader, const Field& field, const VariableScope& scope) {
  DaemonSpec daemon;
  const auto entries = read_mapping(reader, field, kDaemonKeys);
  const Entry* command = find_entry(entries, "command");
  if (!command) reader.fail(field, "daemon: missing 'command'", "command: [program, args...]");
  daemon.command = read_template_list(reader, command->value, scope, true);
  for (const Entry& entry : entries) {
    const Field& value = entry.value;
    if (entry.key == "ready")
      read_ready(reader, value, scope, daemon);
    else if (entry.key == "files")
      daemon.files = read_daemon_files(reader, value, scope);
    else if (entry.key == "endpoint")
      daemon.endpoint = read_template(reader, value, scope);
    else if (entry.key == "counters")
      read_counters(reader, value, daemon);
    else if (entry.key == "wrapper")
      daemon.wrapper = read_template_list(reader, value, scope, false);
    else if (entry.key == "inject")
      daemon.inject = read_inject(reader, value);
    else if (entry.key == "env")
      daemon.env = read_template_map(reader, value, scope);
    else if (entry.key == "preload")
      daemon.preload = read_bool(reader, value);
    else if (entry.key == "cgroup")
      daemon.cgroup = read_bool(reader, value);
    else if (entry.key == "python")
      read_python(reader, value, daemon);
    else if (entry.key == "ready_timeout")
      daemon.ready_timeout = read_duration(reader, value, Millis(1), kMaxTimeout);
    else if (entry.key == "stop_timeout")
      daemon.stop_timeout = read_duration(reader, value, Millis(0), kMaxTimeout);
    else if (entry.key == "stop_signal")
      daemon.stop_signal = read_stop_signal(reader, value);
    else if (entry.key == "clean_exit_codes")
      daemon.clean_exit_codes = read_exit_codes(reader, value);
  }
  return daemon;
}

SettleSpec read_settle(const YamlReader& reader, const Field& field) {
  SettleSpec settle;
  const auto entries =
      read_mapping(reader, field, {"timeout", "window", "period", "confirm_max"});
  if (const Entry* e = find_entry(entries, "timeout"))
    settle.timeout = read_duration(reader, e->value, Millis(0), kMaxTimeout);
  if (const Entry* e = find_entry(entries, "window"))
    settle.window = read_duration(reader, e->value, Millis(1), Millis(60000));
  if (const Entry* e = find_entry(entries, "period"))
    settle.period = read_duration(reader, e->value, Millis(1), Millis(60000));
  if (const Entry* e = find_entry(entries, "confirm_max"))
    settle.confirm_max = read_duration(reader, e->value, Millis(0), Millis(120000));
  if (settle.window > settle.timeout && settle.timeout > Millis(0))
    reader.fail(field,
                "settle: window " + format_duration(settle.window) + " is longer than timeout " +
                    format_duration(settle.timeout),
                "window <= timeout (figures must hold still for window before timeout runs out)");
  return settle;
}

template <size_t N>
VariableScope builtin_scope(const std::set<std::string>& extra,
                            const std::string_view (&builtins)[N]) {
  VariableScope scope;
  scope.defined.insert(extra.begin(), extra.end());
  for (std::string_view name : builtins) scope.defined.emplace(name);
  return scope;
}

// `duration: 10m`: the measured phase of a soak. It replaces `iterations`, so naming both is
// an error (which one would end the run?).
Millis read_soak_duration(const YamlReader& reader, const std::vector<Entry>& entries,
                          const Field& value) {
  if (const Entry* iterations = find_entry(entries, "iterations"))
    reader.fail(value,
                "duration: set together with iterations (line " +
                    std::to_string(iterations->key_at.line) + ")",
                "a scenario names one: duration repeats the measured iterations until the time "
                "has passed");
  return read_duration(reader, value, Millis(1), Millis(7LL * 24 * 3600 * 1000));
}

}  // namespace

ScenarioError::ScenarioError(SourceLocation where, std::string problem, std::string allowed)
    : std::runtime_error(where.str() + ": " + problem + (allowed.empty() ? "" : "; " + allowed)),
      where_(std::move(where)),
      problem_(std::move(problem)),
      allowed_(std::move(allowed)) {}

Scenario parse_scenario_text(std::string_view text, const std::string& filename,
                             const std::set<std::string>& extra_variables) {
  check_scenario_text(text, filename);
  const YamlReader reader(filename);
  const Field root{load_yaml(text, filename), SourceLocation{filename, 1, 1}, ""};
  if (root.node.IsNull())
    reader.fail(root.where, "empty scenario", "a mapping with at least: name, daemon, steps");
  if (!root.node.IsMap())
    reader.fail(reader.at(root.node, root.where),
                "the top level must be a mapping, got " + describe_value(root.node),
                "keys: " + join(kTopLevelKeys));
  const auto entries = read_mapping(reader, root, kTopLevelKeys);
  for (std::string_view required : {"name", "daemon", "steps"})
    if (!find_entry(entries, required))
      reader.fail(root.where, "missing required key '" + std::string(required) + "'",
                  "every scenario has name, daemon and steps");

  Scenario scenario;
  scenario.file = filename;
  // Declared kinds first: budgets and expect_violations may name them wherever they stand.
  if (const Entry* e = find_entry(entries, "metrics"))
    scenario.declared_kinds = read_declared_kinds(reader, e->value);
  for (const Entry& entry : entries) {
    const Field& value = entry.value;
    if (entry.key == "name")
      scenario.name = read_name(reader, value);
    else if (entry.key == "description")
      scenario.description = read_string(reader, value);
    else if (entry.key == "daemon")
      scenario.daemon =
          read_daemon(reader, value, builtin_scope(extra_variables, kDaemonBuiltinVariables));
    else if (entry.key == "warmup")
      scenario.warmup = static_cast<int>(read_integer(reader, value, 0, 10000));
    else if (entry.key == "iterations" && value.node.IsScalar() && value.node.Scalar() == "auto")
      scenario.iterations_auto = true;
    else if (entry.key == "iterations" && value.node.IsScalar() &&
             value.node.Scalar().find_first_not_of("0123456789") != std::string::npos)
      reader.fail(value,
                  "iterations: expected an integer or auto, got '" + value.node.Scalar() + "'",
                  "allowed: 1..100000, or auto (run until every per-iteration trend is decided)");
    else if (entry.key == "iterations")
      scenario.iterations = static_cast<int>(read_integer(reader, value, 1, 100000));
    else if (entry.key == "max_iterations" || entry.key == "max_duration")
      read_run_until_sure_limit(reader, entry, scenario);
    else if (entry.key == "sample_hz") {
      scenario.sample_hz = read_number(reader, value, 0, 10000);
      if (scenario.sample_hz > 0 && scenario.sample_hz < 1)
        reader.fail(value, "sample_hz: " + value.node.Scalar() + " is out of range",
                    "0 (sampling off: checkpoints only) or 1..10000");
    } else if (entry.key == "settle")
      scenario.settle = read_settle(reader, value);
    else if (entry.key == "steps") {
      VariableScope scope = builtin_scope(extra_variables, kStepBuiltinVariables);
      scope.saved_later = collect_saved_variables(reader, value, 0);
      scenario.steps = read_steps(reader, value, scope, 0);
    } else if (entry.key == "budgets")
      scenario.budgets = read_budgets(reader, value, scenario.declared_kinds);
    else if (entry.key == "expect_violations")
      scenario.expect_violations = read_expect_violations(reader, value, scenario.declared_kinds);
    else if (entry.key == "duration")
      scenario.duration = read_soak_duration(reader, entries, value);
    else if (entry.key == "known_leaks")
      scenario.known_leaks = read_known_leaks(reader, value, scenario.declared_kinds);
  }
  if (scenario.iterations_auto) scenario.iterations = scenario.max_iterations;
  for (std::string_view limit : {"max_iterations", "max_duration"})
    if (const Entry* e = find_entry(entries, limit); e && !scenario.iterations_auto)
      reader.fail(e->value, std::string(limit) + " needs iterations: auto",
                  "iterations: auto runs until every per-iteration trend is decided, up to "
                  "max_iterations (default 200) and max_duration (default 2m)");
  return scenario;
}

DaemonSpec parse_daemon_text(std::string_view text, const std::string& filename,
                             const std::set<std::string>& extra_variables) {
  check_scenario_text(text, filename);
  const YamlReader reader(filename);
  const Field root{load_yaml(text, filename), SourceLocation{filename, 1, 1}, "daemon"};
  if (!root.node.IsMap())
    reader.fail(reader.at(root.node, root.where),
                "a daemon block must be a mapping, got " + describe_value(root.node),
                "keys: " + join(kDaemonKeys));
  return read_daemon(reader, root, builtin_scope(extra_variables, kDaemonBuiltinVariables));
}

Scenario parse_scenario_file(const std::string& path,
                             const std::set<std::string>& extra_variables) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ScenarioError(SourceLocation{path, 0, 0},
                        std::string("cannot open: ") + std::strerror(errno),
                        "a readable scenario file");
  std::string text;
  // One byte over the limit is enough to reject; never read a huge file whole.
  text.resize(kMaxScenarioBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.bad())
    throw ScenarioError(SourceLocation{path, 0, 0},
                        std::string("cannot read: ") + std::strerror(errno),
                        "a readable scenario file");
  return parse_scenario_text(text, path, extra_variables);
}

}  // namespace leakgate
