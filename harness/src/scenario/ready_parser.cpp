// daemon.ready: how leakgate knows the daemon is up (spawn/readiness.h waits for it).
//   stdout | {http: /path} | {tcp: "${PORT}" or "host:port"} | {log: REGEX} | {notify: true}
#include <regex>

#include "leakgate/variables.h"
#include "parser_parts.h"

namespace leakgate::detail {
namespace {

const std::vector<std::string_view> kReadyKinds = {"http", "tcp", "log", "notify"};
constexpr std::string_view kReadyForms =
    "stdout (a JSON readiness line), {http: /health} (poll until 2xx), {tcp: \"${PORT}\"} (the "
    "port accepts a connection), {log: REGEX} (a line on stdout or stderr matches), {notify: "
    "true} (sd_notify READY=1 on $NOTIFY_SOCKET)";

void read_ready_http(const YamlReader& reader, const Field& field, DaemonSpec& daemon) {
  daemon.ready = DaemonSpec::Ready::kHttp;
  daemon.ready_http_path = read_string(reader, field);
  if (daemon.ready_http_path.empty() || daemon.ready_http_path.front() != '/')
    reader.fail(field, field.path + ": '" + daemon.ready_http_path + "' does not start with '/'",
                "a path such as /health");
}

// "${PORT}", "8080", "127.0.0.1:${PORT}", "[::1]:8080": a port written out must be 1..65535;
// one from a variable is checked once it is known (spawn/readiness.cpp).
void read_ready_tcp(const YamlReader& reader, const Field& field, const VariableScope& scope,
                    DaemonSpec& daemon) {
  daemon.ready = DaemonSpec::Ready::kTcp;
  daemon.ready_tcp = read_template(reader, field, scope);
  const std::string& text = daemon.ready_tcp;
  const size_t colon = text.rfind(':');
  const std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
  const bool templated = port.find("${") != std::string::npos;
  const bool digits = !port.empty() && port.size() <= 5 &&
                      port.find_first_not_of("0123456789") == std::string::npos;
  if (port.empty() || (!templated && (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535)))
    reader.fail(field, field.path + ": '" + text + "' names no port",
                "a port (\"${PORT}\", 8080) or host:port (\"127.0.0.1:${PORT}\")");
  if (colon == 0) reader.fail(field, field.path + ": '" + text + "' has an empty host");
}

// A regex written in the file must compile now, not after the daemon has started; variables
// in it are stood in for by a plain word.
void read_ready_log(const YamlReader& reader, const Field& field, const VariableScope& scope,
                    DaemonSpec& daemon) {
  daemon.ready = DaemonSpec::Ready::kLog;
  daemon.ready_log = read_template(reader, field, scope);
  if (daemon.ready_log.empty())
    reader.fail(field, field.path + ": empty regex",
                "a regex a line of the daemon's output matches");
  Variables stand_ins;
  for (const std::string& name : referenced_variables(daemon.ready_log)) stand_ins[name] = "x";
  try {
    const std::regex compiled(expand_variables(daemon.ready_log, stand_ins),
                              std::regex::ECMAScript);
    (void)compiled;
  } catch (const std::regex_error& e) {
    reader.fail(field, field.path + ": invalid regex '" + daemon.ready_log + "': " + e.what(),
                "an ECMAScript regex, e.g. 'server started' or 'Ready to accept connections'");
  }
}

}  // namespace

void read_ready(const YamlReader& reader, const Field& field, const VariableScope& scope,
                DaemonSpec& daemon) {
  if (field.node.IsScalar() && field.node.Scalar() == "stdout") {
    daemon.ready = DaemonSpec::Ready::kStdout;
    return;
  }
  if (!field.node.IsMap())
    reader.fail(field,
                field.path + ": expected stdout or a mapping, got " + describe_value(field.node),
                std::string(kReadyForms));
  const auto entries = read_mapping(reader, field, kReadyKinds);
  if (entries.size() != 1)
    reader.fail(field,
                field.path + ": " +
                    (entries.empty() ? std::string("no readiness kind")
                                     : "two readiness kinds, '" + entries[0].key + "' and '" +
                                           entries[1].key + "'"),
                "one of " + std::string(kReadyForms));
  const Entry& kind = entries.front();
  if (kind.key == "http")
    read_ready_http(reader, kind.value, daemon);
  else if (kind.key == "tcp")
    read_ready_tcp(reader, kind.value, scope, daemon);
  else if (kind.key == "log")
    read_ready_log(reader, kind.value, scope, daemon);
  else if (!read_bool(reader, kind.value))
    reader.fail(kind.value, kind.value.path + ": false waits for nothing",
                "notify: true, or another readiness kind");
  else
    daemon.ready = DaemonSpec::Ready::kNotify;
}

}  // namespace leakgate::detail
