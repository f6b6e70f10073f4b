// "Did you mean ...?" for misspelt keys, units, ops and metric names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace leakgate::detail {

// Levenshtein distance (insert, delete, substitute: cost 1 each).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if close enough to be a plausible typo; else "".
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

// "a, b, c".
std::string join(const std::vector<std::string_view>& items, std::string_view separator = ", ");

// " (did you mean 'x'?)" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace leakgate::detail
