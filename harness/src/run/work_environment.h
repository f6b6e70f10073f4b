// What a run takes from the machine before its daemon starts: a port, a directory, the date.
#pragma once

#include <filesystem>
#include <string>

namespace leakgate {

// A loopback TCP port free right now (the kernel's pick), 0 when none could be had.
int free_loopback_port();

// A fresh private directory $TMPDIR/leakgate-<name>-XXXXXX; throws when it cannot be made.
std::filesystem::path make_workdir(const std::string& name);

// The current time as "2026-01-31T12:00:00Z".
std::string utc_now_iso();

}  // namespace leakgate
