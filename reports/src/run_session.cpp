#include "leakgate/reports/run_session.h"

#include <cstdio>
#include <cstdlib>
#include <system_error>

#include <nlohmann/json.hpp>

#include "clock.h"
#include "leakgate/reports/atomic_file.h"
#include "leakgate/reports/history.h"

namespace leakgate::reports {
namespace {

namespace fs = std::filesystem;

// A directory name for a shell command line: single-quoted, quotes escaped.
std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

fs::path run_session_path(const fs::path& report_dir) { return report_dir / "run-session.json"; }

std::string project_commit(const std::string& project_dir, const std::string& commit) {
  if (!commit.empty()) return commit;
  if (const char* env = std::getenv("LEAKGATE_GIT_COMMIT"); env && *env) return env;
  if (project_dir.empty()) return "";
  std::string line;
  const std::string command =
      "git -C " + shell_quoted(project_dir) + " rev-parse --short HEAD 2>/dev/null";
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[64] = {};
    if (std::fgets(buffer, sizeof buffer, pipe)) line = buffer;
    pclose(pipe);
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

RunSession open_run_session(const fs::path& report_dir, const std::string& project_dir,
                            const std::string& commit) {
  RunSession session{current_run_id(), project_commit(project_dir, commit), project_dir,
                     detail::utc_now_iso8601()};
  fs::create_directories(report_dir);
  const nlohmann::json file = {{"run_id", session.run_id},
                               {"project_commit", session.project_commit},
                               {"project_dir", session.project_dir},
                               {"opened_at", session.opened_at}};
  write_file_atomically(run_session_path(report_dir), file.dump(2) + "\n");
  return session;
}

std::optional<RunSession> read_run_session(const fs::path& report_dir) {
  std::error_code error;
  if (!fs::exists(run_session_path(report_dir), error)) return std::nullopt;
  try {
    const auto file = nlohmann::json::parse(read_text_file(run_session_path(report_dir)));
    RunSession session{file.at("run_id").get<std::string>(),
                       file.value("project_commit", ""), file.value("project_dir", ""),
                       file.value("opened_at", "")};
    if (session.run_id.empty()) return std::nullopt;
    return session;
  } catch (const std::exception&) {
    return std::nullopt;  // half a file from a crashed writer cannot happen (atomic); junk can
  }
}

bool close_run_session(const fs::path& report_dir) {
  std::error_code error;
  return fs::remove(run_session_path(report_dir), error);
}

}  // namespace leakgate::reports
