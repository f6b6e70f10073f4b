// Tables of a test page: steps, daemon output, environment.
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

using nlohmann::json;

std::string cell(const std::string& text, const std::string& css_class) {
  return "<td class=\"" + css_class + "\">" + escape_html(text) + "</td>";
}

std::string render_steps(const json& result) {
  const json& steps = member(result, "steps");
  if (!steps.is_array() || steps.empty()) return {};
  std::string html =
      "<div class=\"scroll\"><table class=\"steps\"><thead><tr><th "
      "class=\"num\">#</th><th>step</th>"
      "<th>where</th><th class=\"num\">calls</th><th class=\"num\">total</th>"
      "<th class=\"num\">mean</th><th class=\"num\">max</th><th class=\"num\">failures</th>"
      "</tr></thead><tbody>\n";
  for (const json& step : steps) {
    const auto calls = number_member(step, "calls");
    const auto total_ms = number_member(step, "total_ms");
    const auto failures = number_member(step, "failures").value_or(0);
    std::optional<double> mean_ms;
    if (calls && total_ms && *calls > 0) mean_ms = *total_ms / *calls;
    auto ms = [](std::optional<double> value) {
      return value ? format_number(*value) + " ms" : std::string("—");
    };
    html += std::string("<tr") + (failures > 0 ? " class=\"failing\"" : "") + ">" +
            cell(text_member(step, "index")) + "<td>" + escape_html(text_member(step, "what")) +
            "</td><td><code>" + escape_html(text_member(step, "where")) + "</code></td>" +
            cell(format_quantity(calls, Unit::count)) + cell(ms(total_ms)) + cell(ms(mean_ms)) +
            cell(ms(number_member(step, "max_ms"))) +
            cell(format_number(failures), failures > 0 ? "num over" : "num") + "</tr>\n";
    if (const std::string first = text_member(step, "first_failure"); !first.empty()) {
      html += "<tr class=\"failing\"><td></td><td colspan=\"7\">first failure: <code>" +
              escape_html(first) + "</code></td></tr>\n";
    }
  }
  html += "</tbody></table></div>\n";
  return section("steps", "Steps", html);
}

// result.json warnings: what the daemon itself warned about (a Python daemon's
// ResourceWarnings, from leakgate's agent) first, then the notes on the run's circumstances.
std::string render_warnings(const json& result) {
  std::string resource, notes;
  for (const json& warning : array_or_empty(member(result, "warnings"))) {
    const std::string text = warning.is_string() ? warning.get<std::string>() : warning.dump();
    (text.rfind("ResourceWarning", 0) == 0 ? resource : notes) +=
        "<li><code>" + escape_html(text) + "</code></li>\n";
  }
  std::string html;
  if (!resource.empty()) {
    html +=
        "<h3>ResourceWarnings raised in the daemon</h3>\n<p class=\"muted\">Python warns when "
        "it finalizes a socket, file or session nobody closed: <em>at</em> is the line where "
        "the last reference went, <em>allocated at</em> where tracemalloc saw the object "
        "made.</p>\n<ul class=\"warnings\">\n" +
        resource + "</ul>\n";
  }
  if (!notes.empty())
    html += "<h3>Notes on the run</h3>\n<ul class=\"warnings\">\n" + notes + "</ul>\n";
  return html.empty() ? html : section("warnings", "Warnings", html);
}

std::string render_daemon_output(const json& result) {
  const json& daemon = member(result, "daemon");
  if (!daemon.is_object()) return {};
  std::string html = "<dl class=\"facts\">";
  const json& command = member(daemon, "command");
  std::string command_line;
  for (const json& word : array_or_empty(command)) {
    if (!command_line.empty()) command_line += ' ';
    command_line += word.is_string() ? word.get<std::string>() : word.dump();
  }
  html += "<div class=\"wide\"><dt>command</dt><dd><code>" + escape_html(command_line) +
          "</code></dd></div>";
  html += "<div><dt>pid</dt><dd>" + escape_html(text_member(daemon, "pid", "—")) + "</dd></div>";
  const json& exit = member(daemon, "exit");
  std::string exit_text = text_member(exit, "signal");
  exit_text =
      exit_text.empty() ? "exit code " + text_member(exit, "code", "—") : "killed by " + exit_text;
  if (member(exit, "killed_after_timeout") == true) exit_text += " (killed after the grace period)";
  // How a requested stop ended, in words ("stopped by SIGTERM without a handler"), when known.
  if (const std::string stop = text_member(daemon, "stop"); !stop.empty()) exit_text = stop;
  html += "<div><dt>exit</dt><dd>" + escape_html(exit_text) + "</dd></div></dl>\n";
  const json& files = member(daemon, "files");
  for (const char* stream : {"stdout", "stderr"}) {
    const std::string tail = text_member(daemon, std::string(stream) + "_tail");
    html += "<h3>" + std::string(stream) + " (last lines)";
    if (const std::string href = safe_relative_href(text_member(files, stream)); !href.empty()) {
      html += " <a class=\"small\" href=\"" + href + "\">full file</a>";
    }
    html += "</h3>\n";
    html += tail.empty() ? "<p class=\"muted\">(empty)</p>\n"
                         : "<pre class=\"tail\">" + escape_html(tail) + "</pre>\n";
  }
  // Anything else the run kept: a wrapper profiler's output (valgrind.log, heaptrack.*.zst),
  // the heap profile diff.
  std::string others;
  if (files.is_object()) {
    for (const auto& [name, file] : files.items()) {
      const std::string href = safe_relative_href(file.is_string() ? file.get<std::string>() : "");
      if (name == "stdout" || name == "stderr" || href.empty()) continue;
      others += "<li><a href=\"" + href + "\"><code>" + escape_html(name) + "</code></a></li>";
    }
  }
  if (!others.empty()) html += "<h3>Other files</h3>\n<ul class=\"files\">" + others + "</ul>\n";
  return section("daemon", "Daemon", html);
}

std::string render_environment(const json& result) {
  const json& environment = member(result, "environment");
  if (!environment.is_object() || environment.empty()) return {};
  std::string rows;
  for (const auto& [key, value] : environment.items()) {
    if (value.is_object()) {
      for (const auto& [inner_key, inner_value] : value.items()) {
        rows += "<tr><th scope=\"row\">" + escape_html(key + "." + inner_key) + "</th><td>" +
                escape_html(text_member(value, inner_key)) + "</td></tr>\n";
      }
      continue;
    }
    rows += "<tr><th scope=\"row\">" + escape_html(key) + "</th><td>" +
            escape_html(text_member(environment, key)) + "</td></tr>\n";
  }
  return section("environment", "Environment",
                 "<table class=\"environment\"><tbody>\n" + rows + "</tbody></table>\n");
}

}  // namespace leakgate::reports::detail
