// Prometheus text exposition format 0.0.4: render the registry, parse a scrape.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace leakgate {

struct ProcessSample;

// Renders every kind as leakgate_<kind>_live / _created_total / _peak gauges plus
// leakgate_heap_bytes (when on tcmalloc) and, if given, process metrics
// (process_open_fds, process_resident_memory_bytes, process_threads).
std::string render_prometheus(const ProcessSample* process = nullptr);

// Parses a scrape into metric name (with its label set verbatim, e.g. `x{a="b"}`) → value.
// Comments and blank lines are skipped; malformed lines are skipped and counted in *bad_lines.
std::map<std::string, double> parse_prometheus(std::string_view text, int* bad_lines = nullptr);

}  // namespace leakgate
