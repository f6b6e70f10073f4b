#include "judge/run_verdict.h"

#include "leakgate/verdict.h"

namespace leakgate {
namespace {

std::string failure_text(const std::string& test, const RunFailure& failure,
                         const std::string& stderr_tail) {
  std::string text = "FAIL " + test + "  " + failure.what;
  if (failure.iteration > 0) text += " in iteration " + std::to_string(failure.iteration);
  if (failure.iteration < 0) text += " in warm-up iteration " + std::to_string(-failure.iteration);
  if (!failure.step.empty()) text += ", step '" + failure.step + "' (" + failure.where + ")";
  if (failure.exit) text += ": " + failure.exit->describe();
  text += "\n     " + failure.detail + "\n";
  if (!stderr_tail.empty()) {
    std::string tail =
        stderr_tail.size() > 800 ? stderr_tail.substr(stderr_tail.size() - 800) : stderr_tail;
    text += "     daemon stderr (tail):\n";
    size_t start = 0;
    while (start < tail.size()) {
      size_t end = tail.find('\n', start);
      if (end == std::string::npos) end = tail.size();
      text += "       | " + tail.substr(start, end - start) + "\n";
      start = end + 1;
    }
  }
  return text;
}

// A failed run (a stop that exited non-zero) still broke what its snapshots show: every
// unexpected violation, and where it came from, below the failure.
std::string broken_budgets_text(const Evaluation& evaluation,
                                const std::vector<std::string>& attribution_lines) {
  std::string text;
  for (const Violation& violation : evaluation.violations)
    if (!violation.expected) text += "     also violated: " + violation.message + "\n";
  if (text.empty()) return text;
  for (const std::string& line : attribution_lines) text += "       " + line + "\n";
  return text;
}

VerdictSources verdict_sources(const RunRecord& record) {
  VerdictSources sources;
  for (const auto& source : record.sources) {
    if (source.live)
      sources.live.push_back(source.name);
    else
      sources.not_live.push_back(source.name + " (" + source.reason + ")");
  }
  return sources;
}

// By precedence: a violation, an explicit budget left unjudged, an expected violation.
std::map<std::string, std::string> metric_verdicts(const Evaluation& evaluation) {
  std::map<std::string, std::string> verdicts;
  for (const Violation& v : evaluation.violations)
    if (v.expected) verdicts[v.metric] = "expected-fail";
  for (const NotJudged& entry : evaluation.not_judged)
    if (entry.explicit_budget) verdicts[entry.metric] = "not-judged";
  for (const Violation& v : evaluation.violations)
    if (!v.expected) verdicts[v.metric] = "fail";
  return verdicts;
}

}  // namespace

RunVerdict verdict_of(const RunRecord& record, const Evaluation& evaluation,
                      const std::vector<std::string>& attribution_lines,
                      const std::vector<std::string>& judge_warnings) {
  RunVerdict verdict;
  verdict.exit_code = evaluation.passed ? 0 : 1;
  verdict.verdict = evaluation.passed ? "pass" : "fail";
  std::string& text = verdict.text;
  if (record.failure) {
    verdict.exit_code = 1;
    verdict.verdict = "error";
    text = failure_text(record.test, *record.failure, record.stderr_tail);
    text += broken_budgets_text(evaluation, attribution_lines);
  } else {
    text = format_verdict(record.test, evaluation, attribution_lines, verdict_sources(record));
  }
  if (!record.cut_short.empty()) text += "     " + record.cut_short + "\n";
  if (!record.auto_stop.empty()) text += "     iterations: auto, " + record.auto_stop + "\n";
  if (!record.stop_description.empty()) text += "     daemon: " + record.stop_description + "\n";
  verdict.warnings = record.warnings;
  verdict.warnings.insert(verdict.warnings.end(), judge_warnings.begin(), judge_warnings.end());
  for (const auto& warning : verdict.warnings) text += "     note: " + warning + "\n";
  verdict.metrics = metric_verdicts(evaluation);
  return verdict;
}

}  // namespace leakgate
