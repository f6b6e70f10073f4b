#include "spawn/readiness_parts.h"

namespace leakgate {

std::string TcpTarget::str() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
}

std::optional<TcpTarget> parse_tcp_target(std::string_view text) {
  TcpTarget target;
  std::string_view port = text;
  if (const size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    std::string_view host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    else if (host.find(':') != std::string_view::npos)
      return std::nullopt;  // an IPv6 address without brackets: where does the port start?
    if (host.empty()) return std::nullopt;
    target.host = std::string(host);
  }
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos)
    return std::nullopt;
  const int number = std::stoi(std::string(port));
  if (number < 1 || number > 65535) return std::nullopt;
  target.port = std::to_string(number);
  return target;
}

std::optional<std::string> notify_field(std::string_view datagram, std::string_view key) {
  while (!datagram.empty()) {
    const size_t end = datagram.find('\n');
    const std::string_view line = datagram.substr(0, end);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == '=')
      return std::string(line.substr(key.size() + 1));
    if (end == std::string_view::npos) break;
    datagram.remove_prefix(end + 1);
  }
  return std::nullopt;
}

bool notify_says_ready(std::string_view datagram) { return notify_field(datagram, "READY") == "1"; }

bool LineMatcher::feed(std::string_view chunk) {
  if (found_) return true;
  pending_.append(chunk);
  size_t start = 0;
  for (size_t newline; (newline = pending_.find('\n', start)) != std::string::npos;
       start = newline + 1) {
    std::string line = pending_.substr(start, newline - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (std::regex_search(line, *regex_)) {
      matched_ = std::move(line);
      found_ = true;
      pending_.clear();
      return true;
    }
  }
  pending_.erase(0, start);
  // A daemon that never ends a line must not grow this without bound.
  if (pending_.size() > 64 * 1024) pending_.erase(0, pending_.size() - 64 * 1024);
  return false;
}

std::string never_ready_message(std::string_view kind, std::string_view target,
                                std::string_view what_failed, Millis timeout,
                                std::string_view last) {
  std::string text = "ready {" + std::string(kind) + ": " + std::string(target) +
                     "}: " + std::string(what_failed) + " within " + format_duration(timeout) +
                     " (ready_timeout)";
  if (!last.empty()) text += "; " + std::string(last);
  return text;
}

}  // namespace leakgate
