#include "leakgate/proc_parse.h"

#include <charconv>

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
  switch (type) {
    case FdType::kSocket:
      return "socket";
    case FdType::kPipe:
      return "pipe";
    case FdType::kFile:
      return "file";
    case FdType::kAnon:
      return "anon";
    case FdType::kOther:
      return "other";
  }
  return "other";
}

}  // namespace leakgate
