#include "suggest.h"

#include <algorithm>
#include <cctype>

namespace leakgate::detail {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  // Case slips ("MIB", "Iterations") are the commonest typo: compare lowercased.
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string needle = lower(word);
  std::string_view best;
  size_t best_distance = SIZE_MAX;
  bool best_same_start = false;
  for (std::string_view candidate : candidates) {
    const std::string folded = lower(candidate);
    const size_t d = edit_distance(needle, folded);
    // On a tie, a candidate starting like the word wins: "MB" -> "MiB", not "B".
    const bool same_start = !needle.empty() && !folded.empty() && needle[0] == folded[0];
    if (d < best_distance || (d == best_distance && same_start && !best_same_start))
      best_distance = d, best = candidate, best_same_start = same_start;
  }
  // Up to a third of the longer word may differ, at least 2 edits ("MB" -> "MiB", "K" -> "KiB").
  const size_t tolerance = std::max<size_t>(2, std::max(word.size(), best.size()) / 3);
  if (best.empty() || best_distance > tolerance ||
      best_distance >= std::max(word.size(), best.size()))
    return {};
  return std::string(best);
}

std::string join(const std::vector<std::string_view>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += separator;
    out += items[i];
  }
  return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
  const std::string match = closest_match(word, candidates);
  return match.empty() ? std::string() : " (did you mean '" + match + "'?)";
}

}  // namespace leakgate::detail
