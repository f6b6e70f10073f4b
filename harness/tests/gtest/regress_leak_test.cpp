// A LeakTest with a `regress` budget, judged against the history of its report directory
// like a scenario's: the daemon (bash) holds $EXTRA_FDS more descriptors than usual, so its
// daemon.fds peak grows past the history baseline when run with a larger figure.
// Driven by leak-test-regress, which runs this binary several times in one report directory.
#include <cstdlib>
#include <string>

#include "leakgate/leak_test.h"
#include "leakgate/process_probe.h"

namespace {

class RegressTest : public leakgate::LeakTest {};

TEST_F(RegressTest, FdsAgainstTheHistoryBaseline) {
  const char* extra = std::getenv("EXTRA_FDS");
  leakgate::LeakTestDaemon daemon;
  daemon.command = {"/bin/bash", "-c",
                    "for i in $(seq 1 " + std::string(extra && *extra ? extra : "0") +
                        "); do eval \"exec $((i + 20))</dev/null\"; done; "
                        "echo '{\"event\":\"ready\"}'; exec sleep 600"};
  set_settle({std::chrono::milliseconds(2000), std::chrono::milliseconds(50)});
  start_daemon(daemon);
  // The daemon really holds the extra descriptors (else the grown run would pass for nothing);
  // the budget itself is judged in TearDown, against the history.
  const std::string extra_text = extra && *extra ? extra : "0";
  const auto fds = leakgate::ProcessProbe(daemon_pid()).fd_count();
  ASSERT_TRUE(fds.has_value());
  EXPECT_GE(*fds, 3 + std::stoi(extra_text));
  set_budget("daemon.fds", {.regress = 0.10});
  for (int i = 0; i < 3; ++i) iteration_done();
}

}  // namespace
