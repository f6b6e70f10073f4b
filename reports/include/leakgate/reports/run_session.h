// One run for one `ctest` invocation (issue 26). The CTest fixture that
// leakgate_add_scenarios() and leakgate_discover_leak_tests() register (`leakgate session
// open` before the first leak test, `leakgate session close` after the last) keeps a session
// file in the report directory; every test published meanwhile joins its run id, and its
// result names the project's commit (the session's), not leakgate's.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace leakgate::reports {

struct RunSession {
  std::string run_id;
  std::string project_commit;  // "" when neither git nor $LEAKGATE_GIT_COMMIT gave one
  std::string project_dir;     // whose commit it is
  std::string opened_at;       // UTC, ISO 8601
};

// <report_dir>/run-session.json
std::filesystem::path run_session_path(const std::filesystem::path& report_dir);

// The project's commit: `commit` when given, else $LEAKGATE_GIT_COMMIT, else
// `git -C project_dir rev-parse --short HEAD` (empty when it is no git work tree).
std::string project_commit(const std::string& project_dir, const std::string& commit = {});

// Writes a new session (a fresh run id, or $LEAKGATE_RUN_ID) over any earlier one; returns it.
// Throws std::runtime_error naming the file when it cannot be written.
RunSession open_run_session(const std::filesystem::path& report_dir,
                            const std::string& project_dir, const std::string& commit = {});

// The open session, if any (a file that cannot be read or parsed counts as none).
std::optional<RunSession> read_run_session(const std::filesystem::path& report_dir);

// Removes the session file; false when none was open.
bool close_run_session(const std::filesystem::path& report_dir);

}  // namespace leakgate::reports
