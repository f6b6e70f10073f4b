#include "record/floors_json.h"

namespace leakgate {
namespace {

nlohmann::json window_json(const std::optional<FloorReport>& report) {
  if (!report) return nullptr;
  nlohmann::json fds = nlohmann::json::array();
  for (const TransientFd& fd : report->transient_fds) {
    fds.push_back({{"fd", fd.fd.fd},
                   {"type", to_string(fd.fd.type)},
                   {"target", fd.fd.target},
                   {"seen", fd.seen}});
  }
  nlohmann::json figures = nlohmann::json::array();
  for (const TransientFigure& figure : report->transient_figures) {
    figures.push_back({{"metric", figure.metric},
                       {"floor", figure.floor},
                       {"high", figure.high},
                       {"above", figure.above}});
  }
  return {{"seconds", report->seconds},
          {"samples", report->samples},
          {"period_s", report->period_s ? nlohmann::json(*report->period_s) : nullptr},
          {"period_source", to_string(report->period_source)},
          {"bounded", report->bounded},
          {"transient_fds", std::move(fds)},
          {"opened_during", report->opened_fds.size()},
          {"transient_figures", std::move(figures)}};
}

}  // namespace

nlohmann::json floors_json(const RunRecord& record) {
  return {{"baseline", window_json(record.baseline_floors)},
          {"final", window_json(record.final_floors)}};
}

}  // namespace leakgate
