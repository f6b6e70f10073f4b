#include "profile/pprof_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace leakgate {
namespace {

std::string_view trim_left(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

// Takes the next whitespace-separated token off the front of `text`.
std::string_view next_token(std::string_view& text) {
  text = trim_left(text);
  size_t end = 0;
  while (end < text.size() && text[end] != ' ' && text[end] != '\t') ++end;
  const std::string_view token = text.substr(0, end);
  text.remove_prefix(end);
  return token;
}

std::optional<double> parse_number(std::string_view token) {
  double value = 0;
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (error != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return value;
}

// "12.5%", "-3.3%", "nan%", "inf%": pprof prints the shares with %.1f.
bool is_percentage(std::string_view token) { return token.size() >= 2 && token.back() == '%'; }

std::optional<PprofRow> parse_row(std::string_view line) {
  const auto flat = parse_number(next_token(line));
  if (!flat || !is_percentage(next_token(line)) || !is_percentage(next_token(line))) {
    return std::nullopt;
  }
  const auto cumulative = parse_number(next_token(line));
  if (!cumulative || !is_percentage(next_token(line))) return std::nullopt;
  std::string_view function = trim_left(line);
  while (!function.empty() && (function.back() == ' ' || function.back() == '\r')) {
    function.remove_suffix(1);
  }
  if (function.empty()) return std::nullopt;
  return PprofRow{std::string(function), *flat, *cumulative};
}

}  // namespace

PprofTable parse_pprof_text(std::string_view text) {
  PprofTable table;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    std::string_view rest = trim_left(line);
    if (rest.rfind("Total:", 0) == 0) {
      rest.remove_prefix(6);
      table.total = parse_number(next_token(rest));
      continue;
    }
    if (auto row = parse_row(line)) table.rows.push_back(std::move(*row));
  }
  return table;
}

std::vector<HeapGrowthSite> heap_growth_sites(const PprofTable& bytes, const PprofTable& objects,
                                              size_t limit) {
  std::map<std::string, double> objects_by_function;
  for (const auto& row : objects.rows) objects_by_function[row.function] += row.flat;
  std::vector<HeapGrowthSite> sites;
  for (const auto& row : bytes.rows) {
    if (!(row.flat > 0)) continue;
    auto it = objects_by_function.find(row.function);
    const double count = it == objects_by_function.end() ? 0 : it->second;
    sites.push_back({row.function, std::llround(row.flat), std::llround(std::max(0.0, count))});
  }
  std::stable_sort(sites.begin(), sites.end(),
                   [](const auto& a, const auto& b) { return a.bytes > b.bytes; });
  if (sites.size() > limit) sites.resize(limit);
  return sites;
}

}  // namespace leakgate
