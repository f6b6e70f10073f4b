// A run's verdict: pass, fail or error, its exit code and the lines printed for it. The judge
// decides it; record/ only writes it down.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "judge/run_record.h"
#include "leakgate/budget_eval.h"

namespace leakgate {

struct RunVerdict {
  std::string verdict = "pass";  // "pass", "fail", or "error" when the run itself failed
  int exit_code = 0;             // 0 pass, 1 budget violated or the run failed
  std::string text;              // the lines printed for this test; the first is its summary
  std::vector<std::string> warnings;  // the record's, then the judge's (stale known leaks)
  // Each metric's own: "fail", "not-judged" (a budget the scenario set could not be judged)
  // or "expected-fail"; a metric not listed passed.
  std::map<std::string, std::string> metrics;
};

// From the record (its failure, notes and sources) and what evaluating it found.
RunVerdict verdict_of(const RunRecord& record, const Evaluation& evaluation,
                      const std::vector<std::string>& attribution_lines,
                      const std::vector<std::string>& judge_warnings);

}  // namespace leakgate
