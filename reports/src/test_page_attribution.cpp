// The attribution section of a test page: where leaked objects, fds and heap growth came from.
#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "json_access.h"
#include "leakgate/reports/format.h"
#include "leakgate/reports/html.h"
#include "page_layout.h"
#include "test_page_sections.h"

namespace leakgate::reports::detail {
namespace {

using nlohmann::json;

// Allocation sites whose in-use bytes grew between the baseline and the final heap profile
// (attribution.<key>, written by `leakgate run --profile heap|client-heap`), pprof's call
// graph beside the page, or why there is no diff.
std::string heap_growth_html(const json& attribution, const std::string& key,
                             const std::string& side) {
  const json& sites = member(attribution, key);
  if (!sites.is_array()) return {};
  std::string html = "<h3>Heap growth by allocation site: " + escape_html(side) + "</h3>\n";
  if (const std::string error = text_member(attribution, key + "_error"); !error.empty()) {
    return html + "<p class=\"muted\">No heap profile diff: " + escape_html(error) + "</p>\n";
  }
  if (sites.empty()) {
    return html +
           "<p class=\"muted\">The heap profile shows no allocation site that grew between the "
           "baseline and the final snapshot.</p>\n";
  }
  html +=
      "<table class=\"heap\"><thead><tr><th>function</th><th class=\"num\">bytes</th>"
      "<th class=\"num\">objects</th></tr></thead><tbody>\n";
  for (const json& site : sites) {
    html += "<tr><td><code>" + escape_html(text_member(site, "function")) + "</code></td>" +
            cell(format_quantity(number_member(site, "bytes"), Unit::bytes)) +
            cell(format_quantity(number_member(site, "objects"), Unit::count)) + "</tr>\n";
  }
  html += "</tbody></table>\n";
  if (const std::string svg = safe_relative_href(text_member(attribution, key + "_svg"));
      !svg.empty()) {
    html += "<p><a href=\"" + svg + "\">Call graph of the " + escape_html(side) +
            " heap growth (SVG, google-pprof)</a></p>\n";
  }
  return html;
}

// New fds grouped by type and target, a socket's or pipe's inode left out ("socket:[…]"):
// sixty leaked sockets are one row of 60, not sixty rows (issue 26), with their numbers.
std::string new_fds_html(const json& new_fds) {
  struct Group {
    std::string type, target;
    std::vector<std::string> fds;
  };
  std::vector<Group> groups;
  for (const json& fd : new_fds) {
    std::string target = text_member(fd, "target");
    if (const auto open = target.find(":["); open != std::string::npos && target.back() == ']')
      target = target.substr(0, open) + ":[…]";
    const std::string type = text_member(fd, "type");
    auto group = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return g.type == type && g.target == target;
    });
    if (group == groups.end()) group = groups.insert(groups.end(), Group{type, target, {}});
    group->fds.push_back(text_member(fd, "fd"));
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const Group& a, const Group& b) { return a.fds.size() > b.fds.size(); });
  constexpr std::size_t kFdsShown = 12;
  std::string html =
      "<h3>File descriptors opened since the baseline</h3>\n<table class=\"fds\"><thead><tr>"
      "<th class=\"num\">count</th><th>type</th><th>target</th><th>fds</th></tr></thead><tbody>\n";
  for (const Group& group : groups) {
    std::string numbers;
    for (std::size_t i = 0; i < group.fds.size() && i < kFdsShown; ++i)
      numbers += (i == 0 ? "" : ", ") + group.fds[i];
    if (group.fds.size() > kFdsShown)
      numbers += " and " + std::to_string(group.fds.size() - kFdsShown) + " more";
    html += "<tr>" + cell(std::to_string(group.fds.size())) + cell(group.type, "") +
            "<td><code>" + escape_html(group.target) + "</code></td>" + cell(numbers, "") +
            "</tr>\n";
  }
  return html + "</tbody></table>\n";
}

}  // namespace

std::string render_attribution(const json& result) {
  const json& attribution = member(result, "attribution");
  std::string html;
  const json& objects = member(attribution, "objects");
  std::vector<std::string> counted_kinds;  // Python types have a section of their own
  for (const auto& [kind, stacks] : object_or_empty(objects).items())
    if (!is_python_type_metric(kind)) counted_kinds.push_back(kind);
  if (!counted_kinds.empty()) {
    html += "<h3>Live objects by creation stack</h3>\n";
    for (const std::string& kind : counted_kinds) {
      const json& stacks = objects[kind];
      html += "<table class=\"stacks\"><caption><code>" + escape_html(kind) +
              "</code></caption><thead><tr><th class=\"num\">live</th><th>created at</th></tr>"
              "</thead><tbody>\n";
      for (const json& stack : array_or_empty(stacks)) {
        const json& frames = member(stack, "frames");
        html += "<tr>" + cell(format_quantity(number_member(stack, "count"), Unit::count)) +
                "<td><code>" + escape_html(text_member(stack, "site", "(unknown site)")) +
                "</code>";
        if (frames.is_array() && !frames.empty()) {
          html += "<details><summary>" + std::to_string(frames.size()) +
                  " frames</summary><ol class=\"frames\">";
          for (const json& frame : frames) {
            html += "<li><code>" +
                    escape_html(frame.is_string() ? frame.get<std::string>() : frame.dump()) +
                    "</code></li>";
          }
          html += "</ol></details>";
        }
        html += "</td></tr>\n";
      }
      html += "</tbody></table>\n";
    }
  }
  html += render_python_objects(result);
  const json& new_fds = member(attribution, "new_fds");
  if (new_fds.is_array() && !new_fds.empty()) html += new_fds_html(new_fds);
  // Profiling runs (docs/profiling.md): the daemon's heap profile, the harness's own.
  html += heap_growth_html(attribution, "heap_growth", "daemon");
  html += heap_growth_html(attribution, "client_heap_growth", "client side (harness process)");
  if (html.empty()) {
    html =
        "<p class=\"muted\">Nothing to attribute: no counted objects outlived the measured "
        "phase, no new file descriptors, and no heap profile was taken.</p>\n";
  }
  return section("attribution", "Attribution", html);
}

}  // namespace leakgate::reports::detail
