// A LeakTest with a `regress` budget, judged against the history of its report directory
// like a scenario's: the daemon (bash) holds $EXTRA_FDS more descriptors than usual, so its
// daemon.fds peak grows past the history baseline when run with a larger figure.
// Driven by leak-test-regress, which runs this binary several times in one report directory.
#include <cstdlib>
#include <string>

#include "leakgate/leak_test.h"

namespace {

class RegressTest : public leakgate::LeakTest {};

TEST_F(RegressTest, FdsAgainstTheHistoryBaseline) {
  const char* extra = std::getenv("EXTRA_FDS");
  leakgate::LeakTestDaemon daemon;
  daemon.command = {"/bin/bash", "-c",
                    "for i in $(seq 1 " + std::string(extra && *extra ? extra : "0") +
                        "); do eval \"exec $((i + 20))</dev/null\"; done; "
                        "echo '{\"event\":\"ready\"}'; exec sleep 600"};
  daemon.settle = {std::chrono::milliseconds(2000), std::chrono::milliseconds(50)};
  start_daemon(daemon);
  set_budget("daemon.fds", {.regress = 0.10});
  for (int i = 0; i < 3; ++i) iteration_done();
}

}  // namespace
