// The sections of a test page, each rendered from the whole result (escaped HTML out).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace leakgate::reports::detail {

std::string render_verdict_banner(const nlohmann::json& result);   // test_page.cpp
std::string render_history_changes(const nlohmann::json& result);  // test_page_history.cpp
std::string render_budget_table(const nlohmann::json& result);     // test_page_budgets.cpp
std::string render_attribution(const nlohmann::json& result);      // test_page_attribution.cpp
std::string render_steps(const nlohmann::json& result);            // test_page_sections.cpp
std::string render_step_growth(const nlohmann::json& result);      // test_page_step_growth.cpp
std::string render_daemon_output(const nlohmann::json& result);    // test_page_sections.cpp
std::string render_environment(const nlohmann::json& result);      // test_page_sections.cpp
std::string render_timeline_charts(const nlohmann::json& result);  // test_page_charts.cpp
std::string render_warnings(const nlohmann::json& result);         // test_page_sections.cpp

// The Python types whose live objects grew, with where they were made ("" when none), and
// whether a metric is such a type's count (daemon.py.<type>, daemon.pylib.<type>); in
// test_page_python.cpp.
std::string render_python_objects(const nlohmann::json& result);
bool is_python_type_metric(const std::string& metric);

// "PASS", "FAIL" or "ERROR".
std::string verdict_word(const std::string& verdict);

// A table cell with escaped text (test_page_sections.cpp).
std::string cell(const std::string& text, const std::string& css_class = "num");

// One violation in plain words, without the metric's name: "grew by +40 from baseline 1
// to final 41 (budget: 0)".
std::string describe_violation(const nlohmann::json& result, const nlohmann::json& violation);

}  // namespace leakgate::reports::detail
