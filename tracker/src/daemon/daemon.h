// trackerd's life cycle: open the engine, bind, start the sync loop and the server, announce
// readiness, wait for a shutdown request, then take everything down in order.
#pragma once

#include "daemon_options.h"

namespace tracker {

// Returns the process exit code. Termination signals must already be blocked.
int run_daemon(const DaemonOptions& options);

}  // namespace tracker
