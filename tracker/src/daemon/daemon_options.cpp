#include "daemon_options.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "tracker/endpoint.h"
#include "tracker/issue.h"

namespace tracker {
namespace {

std::filesystem::path default_db_path() {
  if (const char* data = std::getenv("XDG_DATA_HOME"); data != nullptr && *data != '\0') {
    return std::filesystem::path(data) / "tracker" / "tracker.db";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : "/tmp") / ".local/share/tracker/tracker.db";
}

std::string help_footer() {
  std::string text =
      "\nEndpoints:\n"
      "  Unix socket (default): parent directory created 0700, socket 0600. A stale socket\n"
      "  left by a dead daemon is replaced; one a live daemon answers on is refused.\n"
      "  TCP (--listen): every request except GET /health needs\n"
      "  'Authorization: Bearer <token>'; the token is random per start and written 0600 to\n"
      "  --token-file. Non-loopback addresses need --allow-remote.\n"
      "\nReadiness: one JSON line on stdout once connections are accepted:\n"
      "  {\"event\":\"ready\",\"pid\":N,\"endpoint\":\"unix:/path\" | \"http://127.0.0.1:PORT\"}\n"
      "Logs go to stderr.\n"
      "\nAPI (JSON): GET /health; POST /issues; GET /issues?status=&label=&q=&limit=&offset=;\n"
      "  GET|PATCH|DELETE /issues/{id}; GET /stats; GET /metrics (Prometheus text);\n"
      "  GET /debug/resources; POST /shutdown. Errors: {\"error\":...,\"field\":...}.\n"
      "  Issue fields: title (required, 1-200 characters), body (<= 64 KiB), labels (<= 20\n"
      "  distinct strings of 1-50 characters), priority (integer 0-4, default 2),\n"
      "  status (open|closed, PATCH only). Request bodies are limited to 1 MiB.\n"
      "\nShutdown: SIGTERM, SIGINT or POST /shutdown: stops accepting, finishes requests in\n"
      "  flight, joins the sync loop, closes the database, removes the socket, exits 0.\n"
      "  SIGHUP is logged and ignored.\n"
      "\nFault injection (--inject): DELIBERATE LEAKS for testing leak detectors:\n";
  for (const FaultDescription& fault : known_faults()) {
    text += "  " + std::string(fault.name) + std::string(22 - fault.name.size(), ' ') +
            std::string(fault.leak) + "\n";
  }
  text +=
      "\nEnvironment: LEAKGATE_COUNTERS=FILE publishes the resource counters (engines,\n"
      "  db_connections) into FILE for leakgate.\n"
      "\nExit codes: 0 clean shutdown, 1 runtime failure (socket in use, database error),\n"
      "  2 usage error.\n";
  return text;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const auto unit_start = text.find_first_not_of("0123456789.");
  if (unit_start == 0 || unit_start == std::string_view::npos) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + unit_start, value);
  if (error != std::errc() || end != text.data() + unit_start) return std::nullopt;
  const std::string_view unit = text.substr(unit_start);
  double ms_per_unit = 0;
  if (unit == "ms") {
    ms_per_unit = 1;
  } else if (unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "m" || unit == "min") {
    ms_per_unit = 60'000;
  } else if (unit == "h") {
    ms_per_unit = 3'600'000;
  } else {
    return std::nullopt;
  }
  const double ms = std::round(value * ms_per_unit);
  if (ms < 1 || ms > 86'400'000.0 * 365) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress address;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    address.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.substr(0, colon).find(':') != std::string::npos) {
      return std::nullopt;
    }
    address.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), address.port);
  if (address.host.empty() || port_text.empty() || error != std::errc() ||
      end != port_text.data() + port_text.size() || address.port < 0 || address.port > 65535) {
    return std::nullopt;
  }
  return address;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::variant<DaemonOptions, int> parse_daemon_options(int argc, const char* const* argv) {
  DaemonOptions options;
  options.socket_path = default_endpoint().path;
  options.db_path = default_db_path();
  std::string listen_text, sync_text = "5s", inject_text, export_text;

  CLI::App app{
      "trackerd: the issue tracker daemon (SQLite storage, JSON over HTTP on a Unix "
      "socket or loopback TCP)",
      "trackerd"};
  app.footer(help_footer());
  // A repeated option overrides the earlier one, so wrappers can append to a base command.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  auto* socket = app.add_option("--socket", options.socket_path, "Unix socket to listen on")
                     ->capture_default_str();
  auto* listen = app.add_option("--listen", listen_text,
                                "listen on TCP HOST:PORT instead (PORT 0 picks a free port)");
  socket->excludes(listen);
  auto* token = app.add_option("--token-file", options.token_file,
                               "where to write the bearer token (mode 0600; needed with --listen)");
  app.add_flag("--allow-remote", options.allow_remote, "allow --listen on a non-loopback address");
  app.add_option("--db", options.db_path, "SQLite database file (created if missing)")
      ->capture_default_str();
  app.add_option("--sync-interval", sync_text,
                 "how often the sync loop refreshes /stats and the export (10ms, 1s, 2m, ...)")
      ->capture_default_str();
  app.add_option("--export", export_text,
                 "rewrite this JSON export of every issue on each sync tick (atomically)");
  app.add_option("--inject", inject_text,
                 "comma-separated deliberate leaks for testing leak detectors (see below)");
  app.add_option("--workers", options.workers, "request worker threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
    const auto interval = parse_duration(sync_text);
    if (!interval)
      throw CLI::ValidationError("--sync-interval", "expected a duration such as 10ms or 5s");
    options.sync_interval = *interval;
    if (!listen_text.empty()) {
      options.listen = parse_listen_address(listen_text);
      if (!options.listen) throw CLI::ValidationError("--listen", "expected HOST:PORT");
      if (token->count() == 0) throw CLI::ValidationError("--listen", "needs --token-file");
      if (!options.allow_remote && !is_loopback_host(options.listen->host)) {
        throw CLI::ValidationError("--listen",
                                   "refusing a non-loopback address without --allow-remote");
      }
    }
    if (!export_text.empty()) options.export_path = export_text;
    auto faults = parse_faults(inject_text);
    if (auto* unknown = std::get_if<std::string>(&faults)) {
      std::string names;
      for (const FaultDescription& fault : known_faults()) names += " " + std::string(fault.name);
      throw CLI::ValidationError("--inject", "unknown fault '" + *unknown + "'; known:" + names);
    }
    options.faults = std::get<FaultSet>(faults);
  } catch (const CLI::Success& help) {  // --help
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return kExitUsage;
  }
  return options;
}

}  // namespace tracker
