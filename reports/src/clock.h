// Wall-clock time as ISO-8601 UTC ("2026-11-27T10:00:00Z").
#pragma once

#include <string>

namespace leakgate::reports::detail {

std::string utc_now_iso8601();

}  // namespace leakgate::reports::detail
