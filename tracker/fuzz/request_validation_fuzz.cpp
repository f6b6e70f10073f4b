// trackerd's request validation (bodies and query strings from any client: untrusted). Never
// a crash or an exception; whatever passes validation obeys the documented limits.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "request_validation.h"

namespace {

using tracker::ValidationError;

template <class T>
const T* accepted(const tracker::Validated<T>& result) {
  return std::get_if<T>(&result);
}

bool printable_length_ok(const std::string& text, size_t max_code_points) {
  size_t code_points = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return false;
    if ((byte & 0xC0) != 0x80) ++code_points;
  }
  return code_points >= 1 && code_points <= max_code_points;
}

void check_fields(const std::string& title, const std::string& body,
                  const std::vector<std::string>& labels, int priority) {
  if (!printable_length_ok(title, tracker::kMaxTitleChars)) std::abort();
  if (body.size() > tracker::kMaxBodyBytes) std::abort();
  if (labels.size() > tracker::kMaxLabels) std::abort();
  for (const std::string& label : labels) {
    if (!printable_length_ok(label, tracker::kMaxLabelChars)) std::abort();
  }
  if (priority < tracker::kMinPriority || priority > tracker::kMaxPriority) std::abort();
}

// "k=v&k=v" split as cpp-httplib does, but without percent-decoding: the fuzzer supplies the
// decoded bytes directly.
std::multimap<std::string, std::string> query_params(std::string_view text) {
  std::multimap<std::string, std::string> params;
  while (!text.empty()) {
    const size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    const size_t eq = pair.find('=');
    params.emplace(std::string(pair.substr(0, eq)),
                   eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
  }
  return params;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = tracker::parse_json_body(text);
  if (const auto* json = std::get_if<nlohmann::json>(&parsed)) {
    const auto new_issue = tracker::validate_new_issue(*json);
    if (const auto* issue = accepted(new_issue)) {
      check_fields(issue->title, issue->body, issue->labels, issue->priority);
    }
    const auto issue_patch = tracker::validate_issue_patch(*json);
    if (const auto* patch = accepted(issue_patch)) {
      if (patch->empty()) std::abort();
      check_fields(patch->title.value_or("t"), patch->body.value_or(""),
                   patch->labels.value_or(std::vector<std::string>{}), patch->priority.value_or(2));
    }
  }
  const auto list_query = tracker::validate_list_query(query_params(text));
  if (const auto* query = accepted(list_query)) {
    if (query->limit < 1 || query->limit > tracker::kMaxListLimit || query->offset < 0) {
      std::abort();
    }
  }
  if (const auto id = tracker::parse_issue_id(text)) {
    const bool digits_only = text.find_first_not_of("0123456789") == std::string_view::npos;
    if (*id < 1 || !digits_only) std::abort();
  }
  return 0;
}
