// Renders live-object groups as JSON, symbolizing every distinct address once.
#pragma once

#include <string>
#include <vector>

#include "leakgate/registry.h"

namespace leakgate {

struct KindLiveObjects {
  KindSnapshot counters;
  std::vector<LiveObjectGroup> groups;
};

// single: {"kind":..,"live":..,"created":..,"peak":..,"stacks":bool,"groups":[...]};
// otherwise {"stacks":bool,"kinds":[<single>...]}.
std::string render_live_objects_json(const std::vector<KindLiveObjects>& kinds, bool single,
                                     bool stacks_on);

}  // namespace leakgate
