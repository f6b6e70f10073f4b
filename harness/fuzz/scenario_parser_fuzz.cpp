// Any bytes in, a Scenario or a ScenarioError out: never a crash, a hang or another exception,
// and every error names the file first.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "leakgate/scenario_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const leakgate::Scenario scenario = leakgate::parse_scenario_text(text, "fuzz.yaml", {"VAR", "TRACKERD"});
    for (const leakgate::Step& step : scenario.steps) (void)step.describe();
  } catch (const leakgate::ScenarioError& e) {
    if (std::string_view(e.what()).substr(0, 10) != "fuzz.yaml:") std::abort();
  }
  return 0;
}
