// A strict well-formedness check for the pages we render (not a general HTML parser):
// every non-void element closed in order, attributes quoted, text and attribute values
// free of raw < > and of & that does not start an entity.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace leakgate::reports::testing {

// One message per problem, "line N: …"; empty when the document is well formed.
std::vector<std::string> check_well_formed(std::string_view html);

}  // namespace leakgate::reports::testing
