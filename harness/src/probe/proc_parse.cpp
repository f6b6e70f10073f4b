#include "leakgate/proc_parse.h"

#include <signal.h>

#include <algorithm>
#include <charconv>
#include <iterator>

namespace leakgate {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

std::string_view skip_spaces(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

// Parses a leading decimal integer; `rest` receives what follows it.
std::optional<int64_t> leading_int(std::string_view s, std::string_view* rest = nullptr) {
  s = skip_spaces(s);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{}) return std::nullopt;
  if (rest != nullptr) *rest = s.substr(static_cast<size_t>(end - s.data()));
  return value;
}

// The n-th (0-based) whitespace-separated field after the ") " that ends comm.
std::optional<int64_t> stat_field_after_comm(std::string_view stat, int n) {
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view s = stat.substr(close + 1);
  for (int i = 0; i < n; ++i) {
    s = skip_spaces(s);
    size_t end = 0;
    while (end < s.size() && !is_space(s[end])) ++end;
    if (end == 0) return std::nullopt;
    s.remove_prefix(end);
  }
  return leading_int(s);
}

// The text after "<key>:" on its line in a key: value file such as status or smaps_rollup.
std::optional<std::string_view> keyed_text(std::string_view text, std::string_view key) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    const std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
      return line.substr(key.size() + 1);
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return std::nullopt;
}

// Value of the line "<key>:  N".
std::optional<int64_t> keyed_value(std::string_view text, std::string_view key) {
  const auto value = keyed_text(text, key);
  if (!value) return std::nullopt;
  return leading_int(*value);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Indexed by FdType, in declaration order; kOther stays last, so a value added fails the size.
constexpr const char* kFdTypeNames[] = {"socket", "pipe", "file", "anon", "other"};
static_assert(std::size(kFdTypeNames) == static_cast<size_t>(FdType::kOther) + 1);

}  // namespace

std::optional<int64_t> parse_statm_resident_pages(std::string_view statm) {
  std::string_view rest;
  if (!leading_int(statm, &rest)) return std::nullopt;  // size
  if (rest.empty() || !is_space(rest.front())) return std::nullopt;
  return leading_int(rest);
}

std::optional<int64_t> parse_stat_ppid(std::string_view stat) {
  return stat_field_after_comm(stat, 1);
}

std::optional<int64_t> parse_stat_num_threads(std::string_view stat) {
  return stat_field_after_comm(stat, 17);
}

std::optional<int64_t> parse_stat_cpu_ticks(std::string_view stat) {
  const auto utime = stat_field_after_comm(stat, 11);
  const auto stime = stat_field_after_comm(stat, 12);
  if (!utime || !stime) return std::nullopt;
  return *utime + *stime;
}

std::optional<StatFields> parse_stat_fields(std::string_view stat) {
  const size_t close = stat.rfind(')');  // comm may hold spaces and parentheses
  if (close == std::string_view::npos) return std::nullopt;
  const size_t open = stat.find('(');
  if (open == std::string_view::npos || open > close) return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  // Fields after comm, from 3 (state): token i is field i + 3.
  std::string_view tokens[20];
  size_t count = 0;
  while (count < 20) {
    const size_t begin = rest.find_first_not_of(' ');
    if (begin == std::string_view::npos) break;
    rest.remove_prefix(begin);
    const size_t end = std::min(rest.find_first_of(" \n"), rest.size());
    tokens[count++] = rest.substr(0, end);
    rest.remove_prefix(end);
  }
  if (count < 20 || tokens[0].size() != 1) return std::nullopt;
  StatFields fields;
  fields.comm = std::string(stat.substr(open + 1, close - open - 1));
  fields.state = tokens[0][0];
  const auto number = [](std::string_view text, auto& out) {
    return std::from_chars(text.data(), text.data() + text.size(), out).ec == std::errc{};
  };
  if (!number(tokens[1], fields.ppid) || !number(tokens[2], fields.pgrp) ||
      !number(tokens[6], fields.flags) || !number(tokens[17], fields.threads) ||
      !number(tokens[19], fields.start_time)) {
    return std::nullopt;
  }
  return fields;
}

std::string join_cmdline(std::string_view cmdline) {
  while (!cmdline.empty() && cmdline.back() == '\0') cmdline.remove_suffix(1);
  std::string text(cmdline);
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

bool environ_has(std::string_view environ, std::string_view entry) {
  while (!environ.empty()) {
    const size_t end = environ.find('\0');
    if (environ.substr(0, end) == entry) return true;
    if (end == std::string_view::npos) break;
    environ.remove_prefix(end + 1);
  }
  return false;
}

bool status_kill_pending(std::string_view status) {
  for (const std::string_view key : {"SigPnd", "ShdPnd"}) {
    const auto mask = parse_status_signal_mask(status, key);
    if (mask && (*mask & (uint64_t{1} << (SIGKILL - 1)))) return true;
  }
  return false;
}

std::optional<int64_t> parse_status_threads(std::string_view status) {
  return keyed_value(status, "Threads");
}

std::optional<uint64_t> parse_status_signal_mask(std::string_view status, std::string_view key) {
  auto value = keyed_text(status, key);
  if (!value) return std::nullopt;
  value->remove_prefix(std::min(value->find_first_not_of(" \t"), value->size()));
  uint64_t mask = 0;
  const auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), mask, 16);
  if (error != std::errc() || end == value->data()) return std::nullopt;
  return mask;
}

std::optional<int64_t> parse_smaps_rollup_pss_bytes(std::string_view smaps_rollup) {
  const auto kb = keyed_value(smaps_rollup, "Pss");
  if (!kb) return std::nullopt;
  return *kb * 1024;
}

int64_t count_pid_list(std::string_view children) {
  int64_t n = 0;
  for (;;) {
    std::string_view rest;
    if (!leading_int(children, &rest)) return n;
    ++n;
    children = rest;
  }
}

FdType classify_fd_target(std::string_view target) {
  if (starts_with(target, "socket:")) return FdType::kSocket;
  if (starts_with(target, "pipe:")) return FdType::kPipe;
  if (starts_with(target, "anon_inode:") || starts_with(target, "/memfd:")) return FdType::kAnon;
  if (starts_with(target, "/")) return FdType::kFile;
  return FdType::kOther;
}

const char* to_string(FdType type) {
  const auto index = static_cast<size_t>(type);
  return index < std::size(kFdTypeNames) ? kFdTypeNames[index] : "other";
}

}  // namespace leakgate
