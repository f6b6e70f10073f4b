#include "bad_request_corpus.h"

#include <cstdio>

namespace tracker::testing {
namespace {

using namespace std::string_literals;  // "..."s keeps embedded NUL bytes

std::string request(const std::string& method, const std::string& target,
                    const std::string& headers = {}, const std::string& body = {}) {
  return method + " " + target + " HTTP/1.1\r\nHost: trackerd\r\n" + headers + "\r\n" + body;
}

std::string with_body(const std::string& method, const std::string& target,
                      const std::string& body) {
  return request(
      method, target,
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n",
      body);
}

std::string post(const std::string& body) { return with_body("POST", "/issues", body); }
std::string patch(const std::string& body) { return with_body("PATCH", "/issues/1", body); }
std::string get(const std::string& target) { return request("GET", target); }
std::string del(const std::string& target) { return request("DELETE", target); }

// A valid issue, so that only the framing around it is wrong.
const std::string kIssue = R"({"title":"smuggled"})";

std::string post_framed(const std::string& framing_headers, const std::string& body = kIssue) {
  return request("POST", "/issues", "Content-Type: application/json\r\n" + framing_headers, body);
}

std::string length(size_t n) { return "Content-Length: " + std::to_string(n) + "\r\n"; }

std::string many_headers(int count, size_t value_size) {
  std::string headers;
  for (int i = 0; i < count; ++i) {
    headers += "X-Filler-" + std::to_string(i) + ": " + std::string(value_size, 'v') + "\r\n";
  }
  return headers;
}

std::string chunked(const std::string& chunks) {
  return request("POST", "/issues",
                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n", chunks);
}

std::string nested(size_t depth, bool closed) {
  return std::string(depth, '[') + (closed ? std::string(depth, ']') : "");
}

std::vector<BadRequest> build() {
  const std::string k2MiB(2 * 1024 * 1024, 'x');
  const std::string hex_length = [] {
    char text[16];
    std::snprintf(text, sizeof(text), "%zx", kIssue.size());
    return std::string(text);
  }();
  return {
      // Malformed and truncated JSON.
      {"json_open_brace", post("{"), 400},
      {"json_key_only", post(R"({"title":)"), 400},
      {"json_unterminated_object", post(R"({"title":"a")"), 400},
      {"json_unterminated_string", post(R"({"title":"a)"), 400},
      {"json_trailing_comma", post(R"({"title":"a",})"), 400},
      {"json_single_quotes", post("{'title':'a'}"), 400},
      {"json_two_documents", post(R"({"title":"a"}{"title":"b"})"), 400},
      {"json_empty_body", post(""), 400},
      {"json_null", post("null"), 400},
      {"json_array", post(R"([{"title":"a"}])"), 400},
      {"json_bare_string", post(R"("title")"), 400},
      {"json_nul_inside", post("{\"title\":\"a\0b\"}"s), 400},
      {"json_lone_surrogate_escape", post(R"({"title":"\ud800"})"), 400},
      {"json_nested_unclosed_100k", post(nested(100000, false)), 400},
      {"json_nested_closed_100k", post(nested(100000, true)), 400},
      {"json_comment", post(R"({"title":"a" /* c */})"), 400},
      {"patch_truncated_json", patch(R"({"status":"clo)"), 400},
      // Wrong types.
      {"title_number", post(R"({"title":42})"), 400},
      {"title_null", post(R"({"title":null})"), 400},
      {"title_array", post(R"({"title":["a"]})"), 400},
      {"title_object", post(R"({"title":{"a":1}})"), 400},
      {"title_bool", post(R"({"title":true})"), 400},
      {"title_missing", post(R"({"body":"no title"})"), 400},
      {"priority_string", post(R"({"title":"a","priority":"2"})"), 400},
      {"priority_float", post(R"({"title":"a","priority":2.5})"), 400},
      {"priority_bool", post(R"({"title":"a","priority":true})"), 400},
      {"labels_string", post(R"({"title":"a","labels":"a"})"), 400},
      {"labels_numbers", post(R"({"title":"a","labels":[1,2]})"), 400},
      {"labels_null_item", post(R"({"title":"a","labels":[null]})"), 400},
      {"body_number", post(R"({"title":"a","body":5})"), 400},
      {"status_on_create", post(R"({"title":"a","status":"closed"})"), 400},
      {"patch_status_unknown", patch(R"({"status":"deleted"})"), 400},
      {"patch_nothing", patch("{}"), 400},
      {"patch_unknown_field", patch(R"({"title":"renamed","id":2})"), 400},
      // Huge numbers.
      {"priority_1e400", post(R"({"title":"a","priority":1e400})"), 400},
      {"priority_beyond_uint64", post(R"({"title":"a","priority":99999999999999999999999})"), 400},
      {"priority_int64_max", post(R"({"title":"a","priority":9223372036854775807})"), 400},
      {"priority_below_int64_min", post(R"({"title":"a","priority":-9223372036854775809})"), 400},
      {"priority_wraps_to_2_as_int32", post(R"({"title":"a","priority":4294967298})"), 400},
      {"id_beyond_int64", get("/issues/99999999999999999999"), 404},
      {"delete_id_beyond_int64", del("/issues/18446744073709551617"), 404},
      {"delete_id_zero", del("/issues/0"), 404},
      {"delete_id_negative", del("/issues/-1"), 404},
      {"limit_huge", get("/issues?limit=99999999999"), 400},
      {"offset_negative", get("/issues?offset=-1"), 400},
      // Invalid UTF-8.
      {"utf8_invalid_byte", post("{\"title\":\"a\xff\"}"), 400},
      {"utf8_overlong_slash", post("{\"title\":\"\xc0\xaf\"}"), 400},
      {"utf8_truncated_sequence", post("{\"title\":\"\xe2\x82\"}"), 400},
      {"utf8_encoded_surrogate", post("{\"title\":\"\xed\xa0\x80\"}"), 400},
      {"utf8_invalid_label", patch("{\"labels\":[\"\xfe\"]}"), 400},
      {"utf8_invalid_query", get("/issues?q=%ff"), 400},
      {"utf8_overlong_query_label", get("/issues?label=%c0%af"), 400},
      {"utf8_invalid_path", del("/issues/\xff"), 404},
      // Sizes.
      {"body_2MiB", request("POST", "/issues", length(k2MiB.size()), k2MiB), 413},
      {"title_201_chars", post(R"({"title":")" + std::string(201, 't') + R"("})"), 400},
      {"body_64KiB_plus_1", post(R"({"title":"a","body":")" + std::string(65537, 'b') + R"("})"),
       400},
      {"labels_21",
       post(R"({"title":"a","labels":["1","2","3","4","5","6","7","8","9","10",)"
            R"("11","12","13","14","15","16","17","18","19","20","21"]})"),
       400},
      {"labels_duplicate", post(R"({"title":"a","labels":["x","x"]})"), 400},
      {"title_control_character", post(R"({"title":"bell\u0007"})"), 400},
      {"title_blank", post(R"({"title":"   "})"), 400},
      // Path tricks.
      {"path_dotdot_stats", get("/issues/../stats"), 404},
      {"path_dotdot_delete", del("/issues/../issues/1"), 404},
      {"path_nul_get", get("/issues/1%00"), 404},
      {"path_nul_delete", del("/issues/1%00"), 404},
      {"path_double_slash_list", get("//issues"), 404},
      {"path_double_slash_delete", del("//issues/1"), 404},
      {"path_trailing_slash_delete", del("/issues/1/"), 404},
      {"path_encoded_dotdot_delete", del("/issues/%2e%2e%2f1"), 404},
      {"path_encoded_slash_delete", del("/issues/1%2f.."), 404},
      {"path_wildcard_delete", del("/issues/*"), 404},
      {"path_very_long_100k", get("/issues/" + std::string(100000, '1')), 414},
      {"path_long_8000", get("/" + std::string(8000, 'a')), 404},
      {"path_bad_percent_query", get("/issues?%zz=1"), 400},
      {"delete_collection", del("/issues"), 405},
      {"put_issue", with_body("PUT", "/issues/1", R"({"title":"replaced"})"), 405},
      // SQL metacharacters in every field (each request is invalid for another reason).
      {"sql_in_id_delete", del("/issues/1%20OR%201=1"), 404},
      {"sql_in_id_semicolon", del("/issues/1;DROP%20TABLE%20issues"), 404},
      {"sql_in_id_quote", get("/issues/1'--"), 404},
      {"sql_in_priority", post(R"({"title":"a","priority":"1; DROP TABLE issues"})"), 400},
      {"sql_in_status", patch(R"({"status":"open' OR '1'='1"})"), 400},
      {"sql_in_field_name", post(R"({"title'--":"a"})"), 400},
      {"sql_in_labels_duplicate",
       patch(R"({"labels":["'); DROP TABLE issue_labels;--",)"
             R"("'); DROP TABLE issue_labels;--"]})"),
       400},
      {"sql_in_title_too_long",
       post(R"({"title":")" + std::string(50, '\'') + std::string(151, ';') + R"("})"), 400},
      {"sql_in_query_status", get("/issues?status=open'%20OR%20'1'='1"), 400},
      {"sql_in_query_limit", get("/issues?limit=1;DROP%20TABLE%20issues"), 400},
      {"sql_in_query_offset", get("/issues?offset=0%20OR%201=1"), 400},
      {"query_value_with_raw_equals", get("/issues?q=a=b"), 400},
      {"sql_in_query_parameter_name", get("/issues?q'%20OR%201=1--=x"), 400},
      // Header abuse.
      {"header_line_20KiB", request("GET", "/health", "X-Big: " + std::string(20000, 'h') + "\r\n"),
       400},
      {"header_fields_20000", request("GET", "/health", many_headers(20000, 1)), 431},
      {"header_section_60KiB", request("GET", "/health", many_headers(10, 6000)), 431},
      {"content_length_duplicate_conflict", post_framed(length(kIssue.size()) + length(5)), 400},
      {"content_length_duplicate_conflict_short_first",
       post_framed(length(5) + length(kIssue.size())), 400},
      {"content_length_duplicate_equal", post_framed(length(kIssue.size()) + length(kIssue.size())),
       400},
      {"content_length_letters", post_framed("Content-Length: abc\r\n"), 400},
      {"content_length_trailing_junk",
       post_framed("Content-Length: " + std::to_string(kIssue.size()) + "abc\r\n"), 400},
      {"content_length_plus_sign",
       post_framed("Content-Length: +" + std::to_string(kIssue.size()) + "\r\n"), 400},
      {"content_length_negative", post_framed("Content-Length: -1\r\n"), 400},
      {"content_length_hex", post_framed("Content-Length: 0x14\r\n"), 400},
      {"content_length_beyond_uint64", post_framed("Content-Length: 99999999999999999999999\r\n"),
       400},
      {"content_length_longer_than_body", post_framed(length(100)), kAnyRefusal},
      {"chunked_with_content_length",
       post_framed("Transfer-Encoding: chunked\r\n" + length(kIssue.size() + 5),
                   hex_length + "\r\n" + kIssue + "\r\n0\r\n\r\n"),
       400},
      {"transfer_encoding_gzip_chunked",
       post_framed("Transfer-Encoding: gzip, chunked\r\n",
                   hex_length + "\r\n" + kIssue + "\r\n0\r\n\r\n"),
       400},
      {"transfer_encoding_unknown",
       post_framed("Transfer-Encoding: bogus\r\n" + length(kIssue.size())), 400},
      {"transfer_encoding_twice",
       post_framed("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                   hex_length + "\r\n" + kIssue + "\r\n0\r\n\r\n"),
       400},
      {"chunk_size_garbage", chunked("zz\r\nhello\r\n0\r\n\r\n"), 400},
      {"chunk_size_huge", chunked("ffffffffffffffffff\r\n" + kIssue), 400},
      {"chunk_size_negative", chunked("-1\r\n" + kIssue), 400},
      {"chunk_truncated", chunked(hex_length + "\r\n" + kIssue.substr(0, 5)), kAnyRefusal},
      {"header_value_nul", "GET /health HTTP/1.1\r\nX-A: a\0b\r\n\r\n"s, 400},
      {"header_name_space", post_framed("Content-Length : 5\r\n"), 400},
      {"header_name_non_token", request("GET", "/health", "X(A): b\r\n"), 400},
      {"expect_continue_huge", post_framed("Expect: 100-continue\r\nContent-Length: 5000000\r\n"),
       413},
      // Request-line abuse and truncation.
      {"line_endings_lf_only", "POST /issues HTTP/1.1\nContent-Length: 20\n\n" + kIssue, 400},
      {"binary_garbage", "\x00\x01\x02garbage\r\n\r\n"s, 400},
      {"http_0_9", "GET /health\r\n\r\n", 400},
      {"http_version_9_9", "GET /health HTTP/9.9\r\n\r\n", 400},
      {"method_lowercase", "get /health HTTP/1.1\r\n\r\n", 400},
      {"method_unknown", "BREW /issues HTTP/1.1\r\n\r\n", 400},
      {"empty_request", "\r\n\r\n", kAnyRefusal},
      {"truncated_request_line", "GET /iss", kAnyRefusal},
      {"truncated_headers", "POST /issues HTTP/1.1\r\nContent-Le", kAnyRefusal},
      {"absolute_uri", get("http://elsewhere/issues"), 404},
  };
}

}  // namespace

const std::vector<BadRequest>& bad_request_corpus() {
  static const std::vector<BadRequest> corpus = build();
  return corpus;
}

}  // namespace tracker::testing
