#include "judge/stop_verdict.h"

#include <signal.h>

#include <algorithm>

namespace leakgate {

StopVerdict judge_stop(const ExitStatus& status, int stop_signal,
                       const std::vector<int>& clean_exit_codes) {
  const std::string after = " after " + signal_name(stop_signal);
  StopVerdict verdict;
  if (status.killed_after_timeout) {
    verdict.description = "did not stop within the stop timeout" + after + "; SIGKILL sent";
  } else if (status.code) {
    verdict.ran_exit_path = true;
    verdict.clean = std::find(clean_exit_codes.begin(), clean_exit_codes.end(), *status.code) !=
                    clean_exit_codes.end();
    verdict.description = "exit code " + std::to_string(*status.code) + after;
    if (!verdict.clean && *status.code != 0) verdict.description += " (not a clean exit code)";
  } else if (status.signal) {
    const int signo = *status.signal;
    verdict.clean = signo == SIGHUP || signo == SIGINT || signo == SIGTERM || signo == SIGPIPE;
    if (signo == stop_signal)
      verdict.description = "stopped by " + signal_name(signo) + " without a handler";
    else
      verdict.description = "killed by " + signal_name(signo) + after;
  } else {
    verdict.description = "stopped; exit status unknown";
  }
  return verdict;
}

}  // namespace leakgate
