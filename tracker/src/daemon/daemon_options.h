// trackerd's command line: what it means (DaemonOptions) and how it is parsed.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "fault_injection.h"

namespace tracker {

struct ListenAddress {
  std::string host;  // without brackets
  int port = 0;      // 0: any free port
};

struct DaemonOptions {
  std::filesystem::path socket_path;    // used when listen is empty
  std::optional<ListenAddress> listen;  // TCP instead of the Unix socket
  std::filesystem::path token_file;     // required with listen
  bool allow_remote = false;
  std::filesystem::path db_path;
  std::chrono::milliseconds sync_interval{5000};
  std::optional<std::filesystem::path> export_path;
  FaultSet faults;
  int workers = 16;
};

// Exit codes (documented in --help).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Parses argv. Returns the options, or the exit code when trackerd must stop here
// (--help: 0, usage errors: 2, with a message already printed).
std::variant<DaemonOptions, int> parse_daemon_options(int argc, const char* const* argv);

// "10ms", "1s", "1.5s", "2m", "1h" → milliseconds (>= 1 ms); nullopt when malformed.
// trackerd's own, not leakgate::parse_duration (leakgate/units.h): trackerd is the daemon the
// harness tests, a program of its own, and that parser lives in the harness's scenario layer
// (yaml-cpp, the scenario model), which the daemon under test must not link. The grammars
// differ on purpose too: a scenario duration is exact (whole milliseconds, "0" allowed, no
// hours), an interval on this command line rounds, takes "h" and "min" and is at least 1 ms.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// "127.0.0.1:8080", "[::1]:0", "localhost:0"; nullopt when malformed.
std::optional<ListenAddress> parse_listen_address(std::string_view text);
bool is_loopback_host(std::string_view host);

}  // namespace tracker
