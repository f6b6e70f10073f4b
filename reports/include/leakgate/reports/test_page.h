// The per-test page `<report-dir>/<test>/index.html`, rendered from one result.json
// (schema leakgate.result/1, see docs/result-schema.md).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace leakgate::reports {

// A complete, self-contained HTML document: verdict banner, budget table, timeline
// charts, attribution, steps, daemon output, environment and the change against the
// previous run and the baseline (from result["history"]). Never throws on missing or
// mistyped fields: they render as absent.
std::string render_test_page(const nlohmann::json& result);

}  // namespace leakgate::reports
