// Request validation: pure functions, JSON in, a model value or an error with a field out.
#include "request_validation.h"

#include <gtest/gtest.h>

namespace tracker {
namespace {

using nlohmann::json;

ValidationError new_issue_error(std::string_view text) {
  auto parsed = parse_json_body(text);
  if (auto* error = std::get_if<ValidationError>(&parsed)) return *error;
  auto result = validate_new_issue(std::get<json>(parsed));
  if (auto* error = std::get_if<ValidationError>(&result)) return *error;
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

TEST(ValidateNewIssue, AcceptsAFullIssue) {
  const auto result = validate_new_issue(
      json::parse(R"({"title":"Crash","body":"on start","labels":["bug","ui"],"priority":4})"));
  const auto* issue = std::get_if<NewIssue>(&result);
  ASSERT_NE(issue, nullptr);
  EXPECT_EQ(issue->title, "Crash");
  EXPECT_EQ(issue->body, "on start");
  EXPECT_EQ(issue->labels, (std::vector<std::string>{"bug", "ui"}));
  EXPECT_EQ(issue->priority, 4);
}

TEST(ValidateNewIssue, DefaultsOptionalFields) {
  const auto result = validate_new_issue(json::parse(R"({"title":"only a title"})"));
  const auto* issue = std::get_if<NewIssue>(&result);
  ASSERT_NE(issue, nullptr);
  EXPECT_EQ(issue->body, "");
  EXPECT_TRUE(issue->labels.empty());
  EXPECT_EQ(issue->priority, kDefaultPriority);
}

TEST(ValidateNewIssue, CountsTitleLengthInCharactersNotBytes) {
  std::string title;
  for (int i = 0; i < 200; ++i) title += "\xC3\xA9";  // é: 2 bytes, 1 character
  EXPECT_TRUE(std::holds_alternative<NewIssue>(validate_new_issue(json{{"title", title}})));
  EXPECT_EQ(new_issue_error(json{{"title", title + "x"}}.dump()).field, "title");
}

struct BadInput {
  const char* name;  // the test name's last part: what is wrong with the body
  const char* body;
  const char* field;
};

class RejectsBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(RejectsBadInput, NamesTheField) {
  EXPECT_EQ(new_issue_error(GetParam().body).field, GetParam().field) << GetParam().body;
}

INSTANTIATE_TEST_SUITE_P(
    ValidateNewIssue, RejectsBadInput,
    ::testing::Values(BadInput{"empty", "", ""}, BadInput{"unclosed", "{", ""},
                      BadInput{"array", "[1,2]", ""}, BadInput{"string", "\"title\"", ""},
                      BadInput{"no_title", "{}", "title"},
                      BadInput{"empty_title", R"({"title":""})", "title"},
                      BadInput{"blank_title", R"({"title":"   "})", "title"},
                      BadInput{"number_title", R"({"title":42})", "title"},
                      BadInput{"null_title", R"({"title":null})", "title"},
                      BadInput{"newline_title", R"({"title":"a\nb"})", "title"},
                      BadInput{"number_body", R"({"title":"x","body":7})", "body"},
                      BadInput{"string_labels", R"({"title":"x","labels":"bug"})", "labels"},
                      BadInput{"number_label", R"({"title":"x","labels":[1]})", "labels"},
                      BadInput{"empty_label", R"({"title":"x","labels":[""]})", "labels"},
                      BadInput{"repeated_label", R"({"title":"x","labels":["a","a"]})", "labels"},
                      BadInput{"priority_5", R"({"title":"x","priority":5})", "priority"},
                      BadInput{"priority_minus_1", R"({"title":"x","priority":-1})", "priority"},
                      BadInput{"priority_2_0", R"({"title":"x","priority":2.0})", "priority"},
                      BadInput{"priority_true", R"({"title":"x","priority":true})", "priority"},
                      BadInput{"priority_string", R"({"title":"x","priority":"2"})", "priority"},
                      BadInput{"status_given", R"({"title":"x","status":"open"})", "status"},
                      BadInput{"unknown_member", R"({"title":"x","extra":1})", "extra"},
                      BadInput{"invalid_utf8", "{\"title\":\"\xFF\"}", ""},
                      BadInput{"overlong_utf8", "{\"title\":\"\xC0\xAF\"}", ""}),
    [](const ::testing::TestParamInfo<BadInput>& info) { return std::string(info.param.name); });

TEST(ValidateNewIssue, RejectsOversizedBodyAndTooManyLabels) {
  EXPECT_EQ(
      new_issue_error(json{{"title", "x"}, {"body", std::string(kMaxBodyBytes + 1, 'a')}}.dump())
          .field,
      "body");
  json labels = json::array();
  for (int i = 0; i < 21; ++i) labels.push_back("l" + std::to_string(i));
  EXPECT_EQ(new_issue_error(json{{"title", "x"}, {"labels", labels}}.dump()).field, "labels");
  EXPECT_EQ(new_issue_error(json{{"title", "x"}, {"labels", {std::string(51, 'l')}}}.dump()).field,
            "labels");
}

TEST(ValidateIssuePatch, AcceptsAnySubsetIncludingStatus) {
  const auto result = validate_issue_patch(json::parse(R"({"status":"closed","priority":0})"));
  const auto* patch = std::get_if<IssuePatch>(&result);
  ASSERT_NE(patch, nullptr);
  EXPECT_EQ(patch->status, Status::kClosed);
  EXPECT_EQ(patch->priority, 0);
  EXPECT_FALSE(patch->title);
}

TEST(ValidateIssuePatch, RejectsEmptyUnknownAndBadValues) {
  EXPECT_TRUE(std::holds_alternative<ValidationError>(validate_issue_patch(json::object())));
  const auto bad_status = validate_issue_patch(json{{"status", "done"}});
  EXPECT_EQ(std::get<ValidationError>(bad_status).field, "status");
  const auto unknown = validate_issue_patch(json{{"id", 3}});
  EXPECT_EQ(std::get<ValidationError>(unknown).field, "id");
  const auto empty_title = validate_issue_patch(json{{"title", ""}});
  EXPECT_EQ(std::get<ValidationError>(empty_title).field, "title");
}

TEST(ValidateListQuery, ParsesEveryFilter) {
  const auto result = validate_list_query(
      {{"status", "open"}, {"label", "bug"}, {"q", "crash"}, {"limit", "10"}, {"offset", "20"}});
  const auto* query = std::get_if<ListQuery>(&result);
  ASSERT_NE(query, nullptr);
  EXPECT_EQ(query->status, Status::kOpen);
  EXPECT_EQ(query->label, "bug");
  EXPECT_EQ(query->text, "crash");
  EXPECT_EQ(query->limit, 10);
  EXPECT_EQ(query->offset, 20);
}

TEST(ValidateListQuery, DefaultsAndRejections) {
  const auto defaults = validate_list_query({});
  EXPECT_EQ(std::get<ListQuery>(defaults).limit, kDefaultListLimit);
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"limit", "0"},
                                                        {"limit", "1001"},
                                                        {"limit", "ten"},
                                                        {"offset", "-1"},
                                                        {"status", "done"},
                                                        {"label", "\xFF"},
                                                        {"sort", "id"}}) {
    const auto result = validate_list_query({{key, value}});
    ASSERT_TRUE(std::holds_alternative<ValidationError>(result)) << key << "=" << value;
  }
  const auto repeated = validate_list_query({{"label", "a"}, {"label", "b"}});
  EXPECT_EQ(std::get<ValidationError>(repeated).field, "label");
}

TEST(ParseIssueId, AcceptsPositiveIntegersOnly) {
  EXPECT_EQ(parse_issue_id("42"), 42);
  EXPECT_FALSE(parse_issue_id("0"));
  EXPECT_FALSE(parse_issue_id("-1"));
  EXPECT_FALSE(parse_issue_id("4x"));
  EXPECT_FALSE(parse_issue_id(""));
  EXPECT_FALSE(parse_issue_id("99999999999999999999"));
}

}  // namespace
}  // namespace tracker
