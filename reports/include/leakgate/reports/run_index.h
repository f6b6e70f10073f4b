// The run index `<report-dir>/index.html` and `<report-dir>/results.json`.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakgate::reports {

// Every test with its verdict, duration, key figures and a sparkline, failures first,
// each linked to `<test>/index.html`. Sorting and filtering work without JavaScript off
// as a plain table; with it, headers sort and a filter box narrows the rows.
std::string render_index(const std::vector<nlohmann::json>& results);

// {"schema": "leakgate.results/1", "generated_at": ..., "tests": [result minus timeline]}
// in the same order as the index.
nlohmann::json make_results_json(const std::vector<nlohmann::json>& results);

// The order of the index: failures and errors first, then by test name.
void sort_failures_first(std::vector<nlohmann::json>& results);

}  // namespace leakgate::reports
