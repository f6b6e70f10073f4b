#include "judge/known_leaks.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <set>
#include <stdexcept>

#include "judge/attribution.h"
#include "leakgate/verdict.h"

namespace leakgate {
namespace {

// daemon.fds covers daemon.fds and daemon.fds.file: the same descriptors, counted by type.
bool covers(const std::string& leak_metric, const std::string& metric) {
  return metric == leak_metric || metric.rfind(leak_metric + ".", 0) == 0;
}

bool is_leak_key(const std::string& key) { return key == "growth" || key == "per_iter"; }

// The key of the live-object groups of `metric` in LeakSites::objects (judgement.cpp).
std::string objects_key(const std::string& metric) {
  return metric.rfind("daemon.fds", 0) == 0 ? "daemon.fds" : metric;
}

// The creation site of `metric`'s live objects the entry names, or "".
std::string matched_creation_site(const KnownLeak& leak, const LeakSites& sites) {
  const std::string key = objects_key(leak.metric);
  if (!sites.objects.is_object() || !sites.objects.contains(key)) return "";
  for (const auto& group : sites.objects[key]) {
    if (!group.contains("site") || !group["site"].is_string()) continue;
    const std::string site = group["site"].get<std::string>();
    if (site_matches(site, leak.site)) return site;
  }
  return "";
}

// The step `metric`'s growth is attributed to (the largest share; daemon.fds.file: daemon.fds's)
// when the entry names it as "step N" or by its text, or "".
std::string matched_step(const KnownLeak& leak, const LeakSites& sites) {
  const StepAttribution* best = nullptr;
  for (const StepAttribution& attribution : sites.steps) {
    if (covers(attribution.metric, leak.metric) &&
        (best == nullptr || attribution.metric.size() > best->metric.size()))
      best = &attribution;
  }
  if (best == nullptr || best->shares.empty()) return "";
  const size_t step = best->shares.front().step;
  const bool named = leak.site == "step " + std::to_string(step + 1) ||
                     (step < sites.step_names.size() && leak.site == sites.step_names[step]);
  return named ? step_label(step, sites.step_names) : "";
}

// The larger of the checkpoints' slope and growth / iterations, per iteration.
double growth_per_iter(const MetricFigures& figures, int iterations) {
  double per_iter = figures.per_iter.value_or(0);
  if (figures.growth && iterations > 0) per_iter = std::max(per_iter, *figures.growth / iterations);
  return per_iter;
}

std::string about(const KnownLeak& leak) { return leak.reason + " (" + leak.issue + ")"; }

// Indexed by KnownLeakResult::State, in declaration order; kStale stays last, so a value added
// fails the size.
constexpr const char* kStateNames[] = {"within", "over-bound", "expired", "stale"};
static_assert(std::size(kStateNames) == static_cast<size_t>(KnownLeakResult::State::kStale) + 1);

}  // namespace

const char* to_string(KnownLeakResult::State state) {
  const auto index = static_cast<size_t>(state);
  return index < std::size(kStateNames) ? kStateNames[index] : "stale";
}

std::vector<KnownLeakResult> apply_known_leaks(const std::vector<KnownLeak>& leaks,
                                               Evaluation& evaluation,
                                               const Figures& figures,
                                               const LeakSites& sites, const std::string& today,
                                               int iterations) {
  std::vector<KnownLeakResult> results;
  std::set<size_t> forgiven, kept;  // violation indices
  for (const KnownLeak& leak : leaks) {
    KnownLeakResult result{leak, KnownLeakResult::State::kStale, std::nullopt, {}, {}};
    const std::string head = "known leak " + leak.metric + " at " + leak.site;
    std::vector<size_t> covered;
    for (size_t i = 0; i < evaluation.violations.size(); ++i) {
      const Violation& v = evaluation.violations[i];
      if (!v.expected && is_leak_key(v.key) && covers(leak.metric, v.metric)) covered.push_back(i);
    }
    if (!covered.empty()) {
      result.matched = matched_creation_site(leak, sites);
      if (result.matched.empty()) result.matched = matched_step(leak, sites);
    }
    if (result.matched.empty()) {
      result.line = head + " matched nothing in this run (stale" +
                    (today > leak.expires ? ", expired on " + leak.expires : "") +
                    "): remove it or correct its site (" + leak.where.str() + ")";
      results.push_back(std::move(result));
      continue;
    }
    double observed = 0;
    for (size_t i : covered) {
      const auto it = figures.find(evaluation.violations[i].metric);
      if (it != figures.end())
        observed = std::max(observed, growth_per_iter(it->second, iterations));
    }
    result.observed_per_iter = observed;
    const std::string figure = format_metric_value(leak.metric, observed, true) + "/iter";
    const std::string bound = format_metric_value(leak.metric, leak.per_iter) + "/iter";
    if (today > leak.expires) {
      result.state = KnownLeakResult::State::kExpired;
      result.line = head + " expired on " + leak.expires + ": " + about(leak) +
                    "; fix the leak or renew the entry (" + leak.where.str() + ")";
    } else if (observed > leak.per_iter) {
      result.state = KnownLeakResult::State::kOverBound;
      result.line = head + " is over its bound: " + figure + " > " + bound + " allowed until " +
                    leak.expires + ": " + about(leak);
    } else {
      result.state = KnownLeakResult::State::kWithin;
      result.line =
          head + " " + figure + " <= " + bound + " until " + leak.expires + ": " + about(leak);
    }
    auto& into = result.state == KnownLeakResult::State::kWithin ? forgiven : kept;
    into.insert(covered.begin(), covered.end());
    results.push_back(std::move(result));
  }
  std::vector<Violation> remaining;
  for (size_t i = 0; i < evaluation.violations.size(); ++i) {
    if (!forgiven.count(i) || kept.count(i)) remaining.push_back(evaluation.violations[i]);
  }
  evaluation.violations = std::move(remaining);
  evaluation.passed = evaluation_passed(evaluation);
  return results;
}

std::string known_leaks_today(const std::string& started_at) {
  const char* forced = std::getenv("LEAKGATE_TODAY");
  if (forced == nullptr || *forced == '\0') return started_at.substr(0, 10);
  const std::string text = forced;
  const bool well_formed = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                           std::all_of(text.begin(), text.end(),
                                       [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
  if (!well_formed)
    throw std::invalid_argument("LEAKGATE_TODAY='" + text + "' is not a date (YYYY-MM-DD)");
  return text;
}

}  // namespace leakgate
