// Reading `google-pprof --text` output: the per-function table of a (diffed) heap profile.
// Pure: text in, rows out; the runner runs pprof (heap_profile.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leakgate {

// One row of `pprof --text`: "  flat  flat%  sum%  cum  cum%  function".
struct PprofRow {
  std::string function;
  double flat = 0;  // bytes (--inuse_space --show_bytes) or objects (--inuse_objects)
  double cumulative = 0;
};

struct PprofTable {
  std::optional<double> total;  // "Total: 123 B" / "Total: 4 objects"; absent when 0
  std::vector<PprofRow> rows;   // in pprof's order (largest flat first)
};

// Skips everything that is not the Total line or a table row ("Using local file ...",
// "Dropping nodes ..."). Values may be negative: with --base, what was freed since.
PprofTable parse_pprof_text(std::string_view text);

// An allocation site that grew between two heap profiles.
struct HeapGrowthSite {
  std::string function;
  int64_t bytes = 0;
  int64_t objects = 0;
};

// Joins the --inuse_space and --inuse_objects tables by function: sites whose flat bytes
// grew, largest first, at most `limit`.
std::vector<HeapGrowthSite> heap_growth_sites(const PprofTable& bytes, const PprofTable& objects,
                                              size_t limit);

}  // namespace leakgate
