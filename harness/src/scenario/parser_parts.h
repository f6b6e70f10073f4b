// The pieces of the scenario parser, one file each: steps, budgets.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "leakgate/metrics.h"
#include "yaml_reader.h"

namespace leakgate::detail {

// step_parser.cpp. `scope` holds the variables defined before the first step; the list's
// saves are added to it as they are read.
StepList read_steps(const YamlReader& reader, const Field& field, VariableScope& scope, int depth);
// Every variable some step saves (first location), for "saved only by a later step".
std::map<std::string, SourceLocation> collect_saved_variables(const YamlReader& reader,
                                                              const Field& steps, int depth);

// A signal name, "HUP" or "SIGHUP" (the names a signal step accepts).
int read_signal_number(const YamlReader& reader, const Field& field);

// budget_parser.cpp.
std::vector<std::string> read_declared_kinds(const YamlReader& reader, const Field& field);
std::map<std::string, Budget> read_budgets(const YamlReader& reader, const Field& field,
                                           const std::vector<std::string>& declared_kinds);
// The metric `name` (an error naming it, and `budget_key` when given, if unknown); a budget
// limit of that metric (a count, or a size for byte metrics).
MetricInfo require_metric(const YamlReader& reader, const SourceLocation& where,
                          const std::string& name, const std::vector<std::string>& declared_kinds,
                          std::string_view budget_key);
double read_limit(const YamlReader& reader, const Field& field, const MetricInfo& metric);
std::vector<std::string> read_expect_violations(const YamlReader& reader, const Field& field,
                                                const std::vector<std::string>& declared_kinds);

// ready_parser.cpp: daemon.ready (stdout, http, tcp, log, notify).
void read_ready(const YamlReader& reader, const Field& field, const VariableScope& scope,
                DaemonSpec& daemon);
// files_parser.cpp: daemon.files, with template files read (relative to the scenario) and
// their variables checked against `scope`.
std::vector<DaemonFile> read_daemon_files(const YamlReader& reader, const Field& field,
                                          const VariableScope& scope);

// known_leaks_parser.cpp: an inline list, or the name of a YAML file (relative to the
// scenario's directory) holding one, at its top level or under known_leaks:.
std::vector<KnownLeak> read_known_leaks(const YamlReader& reader, const Field& field,
                                        const std::vector<std::string>& declared_kinds);

}  // namespace leakgate::detail
