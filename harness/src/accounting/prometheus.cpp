// Prometheus text exposition format 0.0.4.
#include "leakgate/prometheus.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "leakgate/heap_stats.h"
#include "leakgate/process_probe.h"
#include "leakgate/registry.h"

namespace leakgate {

namespace {

// Kind names are free-form ("http.sessions"); metric names allow [a-zA-Z0-9_:] only.
std::string metric_safe(std::string_view name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

void add(std::string& out, const std::string& name, const char* type, const char* help,
         int64_t value) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  out += name + " " + std::to_string(value) + "\n";
}

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool is_name_char(char c) {
  return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool parse_value(std::string_view token, double* value) {
  if (token.empty()) return false;
  bool negative = false;
  if (token.front() == '+' || token.front() == '-') {
    negative = token.front() == '-';
    token.remove_prefix(1);
  }
  if (token.empty() || token.front() == '+' || token.front() == '-') return false;
  double v = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
  if (ec != std::errc{} || end != token.data() + token.size()) return false;
  *value = negative ? -v : v;
  return true;
}

// Length of a label set starting at '{' (including both braces), 0 if malformed.
size_t label_set_length(std::string_view s) {
  bool quoted = false;
  for (size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\\') {
        ++i;  // escaped character, whatever it is
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '}') {
      return i + 1;
    }
  }
  return 0;
}

bool parse_line(std::string_view line, std::string* key, double* value) {
  if (line.empty() || !is_name_start(line.front())) return false;
  size_t i = 1;
  while (i < line.size() && is_name_char(line[i])) ++i;
  if (i < line.size() && line[i] == '{') {
    const size_t labels = label_set_length(line.substr(i));
    if (labels == 0) return false;
    i += labels;
  }
  *key = std::string(line.substr(0, i));
  std::string_view rest = trim(line.substr(i));
  if (i < line.size() && line[i] != ' ' && line[i] != '\t') return false;
  const size_t space = rest.find_first_of(" \t");
  const std::string_view number = rest.substr(0, space);
  if (space != std::string_view::npos) {
    // An optional integer timestamp, nothing after it.
    const std::string_view ts = trim(rest.substr(space));
    int64_t t = 0;
    const auto [end, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), t);
    if (ec != std::errc{} || end != ts.data() + ts.size()) return false;
  }
  return parse_value(number, value);
}

}  // namespace

std::string render_prometheus(const ProcessSample* process) {
  std::string out;
  for (const KindSnapshot& k : Registry::global().snapshot()) {
    const std::string base = "leakgate_" + metric_safe(k.name);
    add(out, base + "_live", "gauge", "live objects of this kind", k.live);
    add(out, base + "_created_total", "counter", "objects of this kind ever created", k.created);
    add(out, base + "_peak", "gauge", "highest live count seen", k.peak);
  }
  if (const auto heap = current_heap_bytes()) {
    add(out, "leakgate_heap_bytes", "gauge", "tcmalloc generic.current_allocated_bytes", *heap);
  }
  if (process != nullptr) {
    add(out, "process_open_fds", "gauge", "open file descriptors", process->fds);
    add(out, "process_resident_memory_bytes", "gauge", "resident set size", process->rss_bytes);
    add(out, "process_threads", "gauge", "threads", process->threads);
    add(out, "leakgate_process_children", "gauge", "direct child processes", process->children);
    if (process->pss_bytes) {
      add(out, "leakgate_process_pss_bytes", "gauge", "proportional set size", *process->pss_bytes);
    }
    if (const auto& by = process->fds_by_type) {
      out += "# HELP leakgate_process_fds open file descriptors by type\n";
      out += "# TYPE leakgate_process_fds gauge\n";
      const std::pair<const char*, int64_t> types[] = {{"socket", by->socket},
                                                       {"pipe", by->pipe},
                                                       {"file", by->file},
                                                       {"anon", by->anon},
                                                       {"other", by->other}};
      for (const auto& [type, n] : types) {
        out +=
            std::string("leakgate_process_fds{type=\"") + type + "\"} " + std::to_string(n) + "\n";
      }
    }
  }
  return out;
}

std::map<std::string, double> parse_prometheus(std::string_view text, int* bad_lines) {
  std::map<std::string, double> out;
  int bad = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    std::string key;
    double value = 0;
    if (parse_line(line, &key, &value)) {
      out[std::move(key)] = value;
    } else {
      ++bad;
    }
  }
  if (bad_lines != nullptr) *bad_lines = bad;
  return out;
}

}  // namespace leakgate
