// Templates: expansion and name listing agree on what is a variable, and never crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "leakgate/variables.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> names;
  try {
    names = leakgate::referenced_variables(text);
  } catch (const leakgate::VariableError& e) {
    if (e.offset() >= size) std::abort();
    return 0;
  }
  leakgate::Variables values;
  for (const std::string& name : names) values[name] = "<" + name + ">";
  try {
    (void)leakgate::expand_variables(text, values);  // every listed name defined: must succeed
  } catch (const leakgate::VariableError&) {
    std::abort();
  }
  return 0;
}
