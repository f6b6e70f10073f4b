// Validation of request bodies and query strings: pure functions, JSON in, a model value or
// an error naming the offending field out. The daemon maps every error to HTTP 400.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "tracker/issue.h"

namespace tracker {

struct ValidationError {
  std::string message;
  std::string field;  // empty when the whole body is at fault
  bool operator==(const ValidationError&) const = default;
};

template <class T>
using Validated = std::variant<T, ValidationError>;

// Malformed JSON and invalid UTF-8 are errors; any JSON value is accepted here.
Validated<nlohmann::json> parse_json_body(std::string_view text);

// {"title": str (required, 1..200 code points, no control characters), "body": str (<= 64 KiB),
//  "labels": [str] (<= 20, each 1..50 code points, distinct), "priority": int 0..4}
Validated<NewIssue> validate_new_issue(const nlohmann::json& body);
// The same fields, all optional (at least one), plus "status": "open" | "closed".
Validated<IssuePatch> validate_issue_patch(const nlohmann::json& body);
// status=open|closed, label=, q=, limit=1..1000 (default 100), offset>=0; nothing else.
Validated<ListQuery> validate_list_query(const std::multimap<std::string, std::string>& params);

// A positive decimal id that fits int64; nullopt otherwise.
std::optional<int64_t> parse_issue_id(std::string_view text);

}  // namespace tracker
