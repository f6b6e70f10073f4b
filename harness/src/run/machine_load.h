// Whether the machine was loaded while a run ran: its verdict says so, since every timing in
// it (step times, settling, the run's length) was stretched, while its figures were not.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace leakgate {

// The 1-minute load average from the text of /proc/loadavg; nullopt when it does not parse.
std::optional<double> parse_loadavg(std::string_view text);

// The 1-minute load average now; nullopt when /proc/loadavg cannot be read.
std::optional<double> load_average();

// "the machine was loaded (load average 7.9 on 2 CPUs): ..." when `load` exceeds `cpus`.
std::optional<std::string> loaded_machine_note(std::optional<double> load, long cpus);

// How much longer a limit on the daemon's own speed (its stop) may run on a loaded machine:
// the load per CPU, at least 1, at most `most`. 1 when the load is unknown.
double load_stretch(std::optional<double> load, long cpus, double most);

}  // namespace leakgate
