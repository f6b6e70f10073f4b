#include "request_validation.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace tracker {
namespace {

using nlohmann::json;

size_t code_points(std::string_view utf8) {
  // Input is valid UTF-8 (the JSON parser checks): count every byte that starts a character.
  return static_cast<size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// Query strings are percent-decoded bytes, not checked by any JSON parser.
bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80           ? 1
                    : (lead >> 5) == 0x6  ? 2
                    : (lead >> 4) == 0xE  ? 3
                    : (lead >> 3) == 0x1E ? 4
                                          : 0;
    if (length == 0 || i + length > text.size()) return false;
    uint32_t code = length == 1 ? lead : lead & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinForLength[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t'; });
}

std::optional<ValidationError> check_title(const json& value) {
  if (!value.is_string()) return ValidationError{"title must be a string", "title"};
  const auto& title = value.get_ref<const std::string&>();
  if (title.empty() || is_blank(title)) return ValidationError{"title must not be empty", "title"};
  if (code_points(title) > kMaxTitleChars) {
    return ValidationError{"title must be at most 200 characters", "title"};
  }
  if (has_control_characters(title)) {
    return ValidationError{"title must not contain control characters", "title"};
  }
  return std::nullopt;
}

std::optional<ValidationError> check_body(const json& value) {
  if (!value.is_string()) return ValidationError{"body must be a string", "body"};
  if (value.get_ref<const std::string&>().size() > kMaxBodyBytes) {
    return ValidationError{"body must be at most 65536 bytes", "body"};
  }
  return std::nullopt;
}

std::optional<ValidationError> check_labels(const json& value) {
  if (!value.is_array()) return ValidationError{"labels must be an array of strings", "labels"};
  if (value.size() > kMaxLabels) return ValidationError{"at most 20 labels", "labels"};
  std::set<std::string_view> seen;
  for (const json& label : value) {
    if (!label.is_string()) return ValidationError{"labels must be an array of strings", "labels"};
    const auto& text = label.get_ref<const std::string&>();
    if (text.empty() || code_points(text) > kMaxLabelChars || has_control_characters(text)) {
      return ValidationError{"each label must be 1 to 50 printable characters", "labels"};
    }
    if (!seen.insert(text).second) return ValidationError{"duplicate label", "labels"};
  }
  return std::nullopt;
}

std::optional<ValidationError> check_priority(const json& value) {
  // is_number_integer is false for 2.0 and for booleans: both are wrong types here.
  if (!value.is_number_integer()) return ValidationError{"priority must be an integer", "priority"};
  const auto priority = value.get<int64_t>();
  if (priority < kMinPriority || priority > kMaxPriority) {
    return ValidationError{"priority must be between 0 and 4", "priority"};
  }
  return std::nullopt;
}

std::optional<ValidationError> check_status(const json& value) {
  if (!value.is_string() || !parse_status(value.get_ref<const std::string&>())) {
    return ValidationError{"status must be \"open\" or \"closed\"", "status"};
  }
  return std::nullopt;
}

// Every key must be known; returns the first error of any field present.
std::optional<ValidationError> check_fields(const json& body, bool allow_status) {
  if (!body.is_object()) return ValidationError{"request body must be a JSON object", ""};
  for (const auto& [key, value] : body.items()) {
    std::optional<ValidationError> error;
    if (key == "title") {
      error = check_title(value);
    } else if (key == "body") {
      error = check_body(value);
    } else if (key == "labels") {
      error = check_labels(value);
    } else if (key == "priority") {
      error = check_priority(value);
    } else if (key == "status" && allow_status) {
      error = check_status(value);
    } else {
      error = ValidationError{"unknown field", key};
    }
    if (error) return error;
  }
  return std::nullopt;
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Validated<json> parse_json_body(std::string_view text) {
  // Without exceptions: a discarded value means malformed JSON, invalid UTF-8 included.
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return ValidationError{"malformed JSON", ""};
  return parsed;
}

Validated<NewIssue> validate_new_issue(const json& body) {
  if (auto error = check_fields(body, /*allow_status=*/false)) return *error;
  if (!body.contains("title")) return ValidationError{"title is required", "title"};
  NewIssue issue;
  issue.title = body["title"].get<std::string>();
  if (body.contains("body")) issue.body = body["body"].get<std::string>();
  if (body.contains("labels")) issue.labels = body["labels"].get<std::vector<std::string>>();
  if (body.contains("priority")) issue.priority = body["priority"].get<int>();
  return issue;
}

Validated<IssuePatch> validate_issue_patch(const json& body) {
  if (auto error = check_fields(body, /*allow_status=*/true)) return *error;
  IssuePatch patch;
  if (body.contains("title")) patch.title = body["title"].get<std::string>();
  if (body.contains("body")) patch.body = body["body"].get<std::string>();
  if (body.contains("labels")) patch.labels = body["labels"].get<std::vector<std::string>>();
  if (body.contains("priority")) patch.priority = body["priority"].get<int>();
  if (body.contains("status")) patch.status = parse_status(body["status"].get<std::string>());
  if (patch.empty()) return ValidationError{"nothing to update", ""};
  return patch;
}

Validated<ListQuery> validate_list_query(const std::multimap<std::string, std::string>& params) {
  ListQuery query;
  for (const auto& [key, value] : params) {
    if (params.count(key) > 1) return ValidationError{"parameter given more than once", key};
    if (!is_valid_utf8(key) || !is_valid_utf8(value)) {
      return ValidationError{"invalid UTF-8", is_valid_utf8(key) ? key : ""};
    }
    if (key == "status") {
      query.status = parse_status(value);
      if (!query.status) return ValidationError{"status must be open or closed", key};
    } else if (key == "label") {
      query.label = value;
    } else if (key == "q") {
      if (code_points(value) > kMaxTitleChars) return ValidationError{"q is too long", key};
      query.text = value;
    } else if (key == "limit") {
      const auto limit = parse_int(value);
      if (!limit || *limit < 1 || *limit > kMaxListLimit) {
        return ValidationError{"limit must be an integer from 1 to 1000", key};
      }
      query.limit = *limit;
    } else if (key == "offset") {
      const auto offset = parse_int(value);
      if (!offset || *offset < 0)
        return ValidationError{"offset must be a non-negative integer", key};
      query.offset = *offset;
    } else {
      return ValidationError{"unknown parameter", key};
    }
  }
  return query;
}

std::optional<int64_t> parse_issue_id(std::string_view text) {
  int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || id < 1) {
    return std::nullopt;
  }
  return id;
}

}  // namespace tracker
