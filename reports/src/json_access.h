// Tolerant reads from result.json: a missing or mistyped field is absent, never a throw,
// so a partial result (a crashed daemon, an older schema) still renders.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace leakgate::reports::detail {

inline const nlohmann::json& null_json() {
  static const nlohmann::json null_value;
  return null_value;
}

// For range-for over a field that may be absent: the value itself, or a static empty one
// (a temporary here would die before the loop runs).
inline const nlohmann::json& object_or_empty(const nlohmann::json& value) {
  static const nlohmann::json empty = nlohmann::json::object();
  return value.is_object() ? value : empty;
}

inline const nlohmann::json& array_or_empty(const nlohmann::json& value) {
  static const nlohmann::json empty = nlohmann::json::array();
  return value.is_array() ? value : empty;
}

inline const nlohmann::json& member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return null_json();
  const auto found = object.find(key);
  return found == object.end() ? null_json() : *found;
}

inline std::optional<double> number_member(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json& value = member(object, key);
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

inline std::optional<double> as_number(const nlohmann::json& value) {
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

// Strings as they are; numbers and booleans as JSON text; null/absent as `fallback`.
inline std::string text_member(const nlohmann::json& object, std::string_view key,
                               std::string fallback = {}) {
  const nlohmann::json& value = member(object, key);
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return fallback;
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace leakgate::reports::detail
