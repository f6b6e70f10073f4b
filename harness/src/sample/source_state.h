// Where a run's figures come from, and whether each source delivered: a verdict lists them,
// so a budget on a figure that no source read is reported as not judged, never as a pass.
#pragma once

#include <string>
#include <vector>

#include "sample/source_names.h"

namespace leakgate {

struct SourceState {
  std::string name;    // "/proc", "counter file", "prometheus scrape /metrics", "preload heap", ...
  bool live = false;   // delivered at least one reading during the run
  std::string reason;  // when not live: "counter file never appeared", "scrape of /metrics
                       // failed: connection refused", ...
};

}  // namespace leakgate
