// steps: [...] — each step a one-key mapping naming its action.
#include <nlohmann/json.hpp>

#include <charconv>
#include <csignal>
#include <cstring>

#include "leakgate/variables.h"
#include "parser_parts.h"
#include "suggest.h"

namespace leakgate::detail {
namespace {

const std::vector<std::string_view> kStepKinds = {"client", "http",    "exec",    "sleep",
                                                  "signal", "restart", "parallel"};
const std::vector<std::string_view> kHttpMethods = {"GET",    "POST", "PUT",    "PATCH",
                                                    "DELETE", "HEAD", "OPTIONS"};
// SEGV, ABRT and QUIT let a scenario crash its daemon on purpose (fault tests).
const std::vector<std::string_view> kSignalNames = {"HUP",  "INT",  "TERM", "USR1", "USR2", "KILL",
                                                    "STOP", "CONT", "SEGV", "ABRT", "QUIT"};
constexpr int kSignalNumbers[] = {SIGHUP,  SIGINT,  SIGTERM, SIGUSR1, SIGUSR2, SIGKILL,
                                  SIGSTOP, SIGCONT, SIGSEGV, SIGABRT, SIGQUIT};

constexpr size_t kMaxBodyBytes = 1 << 20;
constexpr int kMaxCopies = 1000;
constexpr Millis kMaxSleep{10 * 60 * 1000};

std::string read_variable_name(const YamlReader& reader, const Field& field) {
  std::string name = read_string(reader, field);
  if (!is_valid_variable_name(name))
    reader.fail(field, field.path + ": '" + name + "' is not a variable name",
                "letters, digits and '_', not starting with a digit");
  return name;
}

std::string read_choice(const YamlReader& reader, const Field& field,
                        const std::vector<std::string_view>& choices, std::string_view what) {
  std::string value = read_string(reader, field);
  if (std::find(choices.begin(), choices.end(), value) == choices.end())
    reader.fail(field,
                field.path + ": unknown " + std::string(what) + " '" + value + "'" +
                    did_you_mean(value, choices),
                "allowed: " + join(choices));
  return value;
}

// A plain YAML scalar typed the way YAML 1.2's core schema types it; quoted ones are strings.
nlohmann::json scalar_to_json(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;
  if (text == "null" || text == "~" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  const char* end = text.data() + text.size();
  int64_t integer = 0;
  if (auto r = std::from_chars(text.data(), end, integer); r.ec == std::errc() && r.ptr == end)
    return integer;
  double real = 0;
  if (auto r = std::from_chars(text.data(), end, real);
      r.ec == std::errc() && r.ptr == end && std::isfinite(real))
    return real;
  return text;
}

nlohmann::json yaml_to_json(const YamlReader& reader, const Field& field,
                            const VariableScope& scope, int depth) {
  reader.visit(field, depth);
  switch (field.node.Type()) {
    case YAML::NodeType::Scalar:
      if (field.node.Tag() == "!" || scalar_to_json(field.node).is_string())
        check_template(reader, field, field.node.Scalar(), scope);
      return scalar_to_json(field.node);
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const Field& item : read_sequence(reader, field))
        array.push_back(yaml_to_json(reader, item, scope, depth + 1));
      return array;
    }
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const Entry& entry : read_open_mapping(reader, field)) {
        check_template(reader, entry.value, entry.key, scope);
        object[entry.key] = yaml_to_json(reader, entry.value, scope, depth + 1);
      }
      return object;
    }
    default:
      return nullptr;
  }
}

// Only the form: which operations and arguments exist is up to the project that registered
// them (leakgate/client_operations.h), checked by validate_client_steps() where they are known.
ClientStep read_client(const YamlReader& reader, const Field& field, VariableScope& scope) {
  ClientStep step;
  step.path = field.path;
  const std::vector<Entry> entries = read_open_mapping(reader, field);
  const Entry* op = find_entry(entries, "op");
  if (!op)
    reader.fail(field, field.path + ": missing 'op'",
                "op: the name of an operation the daemon's project registered");
  step.op = read_string(reader, op->value);
  step.op_at = op->value.where;
  if (step.op.empty())
    reader.fail(op->value, op->value.path + ": empty client op", "the name of an operation");
  for (const Entry& entry : entries) {
    if (entry.key == "op") continue;
    if (entry.key == "save") {
      step.save = read_variable_name(reader, entry.value);
    } else {
      step.args[entry.key] = read_template(reader, entry.value, scope);
      step.arg_at[entry.key] = entry.key_at;
    }
  }
  if (!step.save.empty()) scope.defined.insert(step.save);
  return step;
}

HttpStep read_http(const YamlReader& reader, const Field& field, VariableScope& scope, int depth) {
  HttpStep step;
  const auto entries =
      read_mapping(reader, field, {"method", "path", "headers", "body", "expect", "save"});
  if (const Entry* e = find_entry(entries, "method"))
    step.method = read_choice(reader, e->value, kHttpMethods, "HTTP method");
  const Entry* path = find_entry(entries, "path");
  if (!path) reader.fail(field, field.path + ": missing 'path'", "path: /something");
  step.path = read_template(reader, path->value, scope);
  if (step.path.empty() || (step.path.front() != '/' && step.path.substr(0, 2) != "${"))
    reader.fail(path->value, path->value.path + ": '" + step.path + "' does not start with '/'",
                "a path on the daemon's endpoint, e.g. /issues");
  if (const Entry* e = find_entry(entries, "headers"))
    step.headers = read_template_map(reader, e->value, scope);
  if (const Entry* e = find_entry(entries, "body")) {
    std::string body = yaml_to_json(reader, e->value, scope, depth + 1).dump();
    if (body.size() > kMaxBodyBytes)
      reader.fail(e->value, e->value.path + ": body is " + std::to_string(body.size()) + " bytes",
                  "at most 1 MiB");
    step.body = std::move(body);
  }
  if (const Entry* e = find_entry(entries, "expect"))
    step.expect = static_cast<int>(read_integer(reader, e->value, 100, 599));
  if (const Entry* e = find_entry(entries, "save")) {
    for (const Entry& save : read_open_mapping(reader, e->value)) {
      if (!is_valid_variable_name(save.key))
        reader.fail(save.key_at, e->value.path + ": '" + save.key + "' is not a variable name",
                    "letters, digits and '_', not starting with a digit");
      const std::string pointer = read_string(reader, save.value);
      if (!pointer.empty() && pointer.front() != '/')
        reader.fail(
            save.value, save.value.path + ": '" + pointer + "' is not a JSON pointer",
            "a JSON pointer into the response, e.g. /id or /items/0/id (\"\" = whole body)");
      step.save[save.key] = pointer;
    }
    for (const auto& [name, pointer] : step.save) scope.defined.insert(name);
  }
  return step;
}

ExecStep read_exec(const YamlReader& reader, const Field& field, const VariableScope& scope) {
  ExecStep step;
  if (field.node.IsSequence()) {  // exec: [cmd, args...]
    step.command = read_template_list(reader, field, scope, true);
    return step;
  }
  const auto entries = read_mapping(reader, field, {"command", "expect_exit", "env"});
  const Entry* command = find_entry(entries, "command");
  if (!command) reader.fail(field, field.path + ": missing 'command'", "command: [prog, args...]");
  step.command = read_template_list(reader, command->value, scope, true);
  if (const Entry* e = find_entry(entries, "expect_exit"))
    step.expect_exit = static_cast<int>(read_integer(reader, e->value, 0, 255));
  if (const Entry* e = find_entry(entries, "env"))
    step.env = read_template_map(reader, e->value, scope);
  return step;
}

SignalStep read_signal(const YamlReader& reader, const Field& field) {
  std::string name = read_string(reader, field);
  const std::string bare = name.substr(0, 3) == "SIG" ? name.substr(3) : name;
  for (size_t i = 0; i < kSignalNames.size(); ++i)
    if (kSignalNames[i] == bare) return SignalStep{kSignalNumbers[i]};
  reader.fail(field,
              field.path + ": unknown signal '" + name + "'" + did_you_mean(bare, kSignalNames),
              "allowed: " + join(kSignalNames) + " (with or without SIG)");
}

RestartStep read_restart(const YamlReader& reader, const Field& field) {
  const bool empty_mapping = field.node.IsMap() && field.node.size() == 0;
  if (!empty_mapping && !(field.node.IsScalar() && read_bool(reader, field)))
    reader.fail(field, field.path + ": expected true or {}, got " + describe_value(field.node),
                "restart: true (stop the daemon gracefully and start it again)");
  return RestartStep{};
}

ParallelStep read_parallel(const YamlReader& reader, const Field& field, const VariableScope& scope,
                           int depth) {
  ParallelStep step;
  const auto entries = read_mapping(reader, field, {"copies", "steps"});
  if (const Entry* e = find_entry(entries, "copies"))
    step.copies = static_cast<int>(read_integer(reader, e->value, 1, kMaxCopies));
  const Entry* steps = find_entry(entries, "steps");
  if (!steps) reader.fail(field, field.path + ": missing 'steps'", "steps: [a list of steps]");
  // Variables saved inside stay inside: copies race, so none of them owns the value after.
  VariableScope inner = scope;
  step.steps = std::make_shared<StepList>(read_steps(reader, steps->value, inner, depth + 1));
  return step;
}

Step read_step(const YamlReader& reader, const Field& field, VariableScope& scope, int depth) {
  const std::vector<Entry> entries = read_mapping(reader, field, kStepKinds);
  if (entries.size() != 1)
    reader.fail(
        field,
        field.path + ": a step has exactly one action, got " + std::to_string(entries.size()),
        "one of: " + join(kStepKinds) + " (write each action as its own list item)");
  const Entry& action = entries.front();
  Step step;
  step.where = action.key_at;
  if (action.key == "client")
    step.action = read_client(reader, action.value, scope);
  else if (action.key == "http")
    step.action = read_http(reader, action.value, scope, depth);
  else if (action.key == "exec")
    step.action = read_exec(reader, action.value, scope);
  else if (action.key == "sleep")
    step.action = SleepStep{read_duration(reader, action.value, Millis(0), kMaxSleep)};
  else if (action.key == "signal")
    step.action = read_signal(reader, action.value);
  else if (action.key == "restart")
    step.action = read_restart(reader, action.value);
  else
    step.action = read_parallel(reader, action.value, scope, depth);
  return step;
}

}  // namespace

int read_signal_number(const YamlReader& reader, const Field& field) {
  return read_signal(reader, field).signal;
}

StepList read_steps(const YamlReader& reader, const Field& field, VariableScope& scope, int depth) {
  reader.visit(field, depth);
  StepList steps;
  for (const Field& item : read_sequence(reader, field)) {
    reader.visit(item, depth + 1);
    steps.push_back(read_step(reader, item, scope, depth + 1));
  }
  if (steps.empty())
    reader.fail(field, field.path + ": no steps", "at least one step, e.g. - sleep: 10ms");
  return steps;
}

std::map<std::string, SourceLocation> collect_saved_variables(const YamlReader& reader,
                                                              const Field& steps, int depth) {
  std::map<std::string, SourceLocation> saved;
  reader.visit(steps, depth);
  if (!steps.node.IsSequence()) return saved;  // read_steps reports it
  for (const YAML::Node& step : steps.node) {
    if (!step.IsMap()) continue;
    for (auto it = step.begin(); it != step.end(); ++it) {
      const YAML::Node body = it->second;  // it->second is a temporary proxy
      if (!body.IsMap()) continue;
      const YAML::Node save = body["save"];
      if (save && save.IsScalar()) saved.emplace(save.Scalar(), reader.at(save));
      if (save && save.IsMap())
        for (auto s = save.begin(); s != save.end(); ++s)
          if (s->first.IsScalar()) saved.emplace(s->first.Scalar(), reader.at(s->first));
      if (const YAML::Node inner = body["steps"]; inner && inner.IsSequence())
        saved.merge(collect_saved_variables(reader, Field{inner, reader.at(inner), ""}, depth + 1));
    }
  }
  return saved;
}

}  // namespace leakgate::detail
