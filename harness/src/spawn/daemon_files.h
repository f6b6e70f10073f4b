// daemon.files: the files a scenario has written into the work directory before its daemon
// starts (a config holding ${PORT}), expanded with the run's variables.
#pragma once

#include <filesystem>
#include <vector>

#include "leakgate/scenario.h"
#include "leakgate/variables.h"

namespace leakgate {

// Writes every file (parent directories made, existing ones replaced). Throws DaemonError
// naming the file and the scenario entry when a file cannot be written or a variable has no
// value (the parser checked the names; --var values arrive at run time).
void write_daemon_files(const std::vector<DaemonFile>& files, const Variables& vars,
                        const std::filesystem::path& workdir);

}  // namespace leakgate
