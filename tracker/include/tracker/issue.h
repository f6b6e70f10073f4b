// The tracker's data model: what an issue is and the requests that create, change and list
// issues. Plain values, shared by the daemon, the client library and the CLI.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tracker {

enum class Status { kOpen, kClosed };
const char* to_string(Status status);
std::optional<Status> parse_status(std::string_view text);

// Limits enforced by the daemon's request validation (documented in trackerd --help).
inline constexpr int kMinPriority = 0;
inline constexpr int kMaxPriority = 4;
inline constexpr int kDefaultPriority = 2;
inline constexpr size_t kMaxTitleChars = 200;  // Unicode code points
inline constexpr size_t kMaxBodyBytes = 65536;
inline constexpr size_t kMaxLabels = 20;
inline constexpr size_t kMaxLabelChars = 50;
inline constexpr int kDefaultListLimit = 100;
inline constexpr int kMaxListLimit = 1000;

struct Issue {
  int64_t id = 0;
  std::string title;
  std::string body;
  std::vector<std::string> labels;
  int priority = kDefaultPriority;
  Status status = Status::kOpen;
  int64_t created_at_ms = 0;  // Unix epoch milliseconds
  int64_t updated_at_ms = 0;
  bool operator==(const Issue&) const = default;
};

struct NewIssue {
  std::string title;
  std::string body;
  std::vector<std::string> labels;
  int priority = kDefaultPriority;
};

// Only the fields that are set change.
struct IssuePatch {
  std::optional<std::string> title;
  std::optional<std::string> body;
  std::optional<std::vector<std::string>> labels;
  std::optional<int> priority;
  std::optional<Status> status;
  bool empty() const { return !title && !body && !labels && !priority && !status; }
};

struct ListQuery {
  std::optional<Status> status;
  std::optional<std::string> label;
  std::optional<std::string> text;  // substring of title or body, ASCII case-insensitive
  int limit = kDefaultListLimit;
  int offset = 0;
};

// The sync loop's latest snapshot (GET /stats).
struct Stats {
  int64_t total = 0;
  int64_t open = 0;
  int64_t closed = 0;
  std::map<std::string, int64_t> labels;  // issues per label
  int64_t last_change_ms = 0;             // 0 when nothing was ever written
  int64_t ticks = 0;                      // sync loop iterations so far
  int64_t snapshot_at_ms = 0;
};

struct Health {
  std::string status;
  int64_t pid = 0;
};

}  // namespace tracker
