// The bad-scenario corpus: every file in bad/ must be rejected with a ScenarioError whose
// message starts with "file:line:column: " and says what was wrong (bad/cases.txt), plus
// inputs generated here that would be unwieldy as files (binary, huge, deeply nested).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "leakgate/scenario_parser.h"

namespace leakgate {
namespace {

const std::string kBadDir = LEAKGATE_SCENARIO_TEST_DIR "/bad";
// What the suite passes as --var: the corpus's daemons are ${TRACKERD}.
const std::set<std::string> kCliVariables = {"TRACKERD"};

struct BadCase {
  std::string file;
  int line = 0;  // 0: yaml-cpp picks the position; only the format is checked
  int column = 0;
  std::string message;  // substring of what() after the location
};

// Test names and failure messages show the file, not the struct's bytes.
void PrintTo(const BadCase& c, std::ostream* out) { *out << c.file; }

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(' '));
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

std::vector<BadCase> load_cases() {
  std::vector<BadCase> cases;
  std::ifstream in(kBadDir + "/cases.txt");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::istringstream row(line);
    for (std::string field; fields.size() < 3 && std::getline(row, field, '|');)
      fields.push_back(trim(field));
    std::string message;
    std::getline(row, message);
    cases.push_back(
        BadCase{fields.at(0), std::stoi(fields.at(1)), std::stoi(fields.at(2)), trim(message)});
  }
  return cases;
}

std::string error_of(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

class BadScenario : public testing::TestWithParam<BadCase> {};

TEST_P(BadScenario, IsRejectedWithLocationAndReason) {
  const BadCase& c = GetParam();
  const std::string path = kBadDir + "/" + c.file;
  const std::string what = error_of([&] { parse_scenario_file(path, kCliVariables); });
  if (c.line > 0) {
    const std::string location =
        path + ":" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": ";
    EXPECT_EQ(what.substr(0, location.size()), location) << what;
  } else {
    EXPECT_EQ(what.rfind(path + ":", 0), 0u) << what;
  }
  EXPECT_NE(what.find(c.message), std::string::npos) << what;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadScenario, testing::ValuesIn(load_cases()),
                         [](const testing::TestParamInfo<BadCase>& info) {
                           std::string name = info.param.file.substr(0, info.param.file.find('.'));
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

TEST(BadScenarioCorpus, EveryFileHasACase) {
  std::set<std::string> listed;
  for (const BadCase& c : load_cases()) listed.insert(c.file);
  EXPECT_GE(listed.size(), 30u);
  for (const auto& entry : std::filesystem::directory_iterator(kBadDir)) {
    if (entry.path().extension() != ".yaml") continue;
    EXPECT_TRUE(listed.count(entry.path().filename().string())) << entry.path();
  }
}

// Generated inputs: text given directly, the error must name "gen.yaml:line:column: ".
struct GeneratedCase {
  std::string name;
  std::string text;
  std::string location;  // "line:column"
  std::string message;
};

std::string deep_block(int levels) {
  std::string text = "name: x\ndaemon: {command: [d]}\nsteps: [sleep: 0]\ndescription:\n";
  for (int i = 1; i <= levels; ++i)
    text += std::string(2 * i, ' ') + "k" + std::to_string(i) + ":\n";
  return text;
}

std::vector<GeneratedCase> generated_cases() {
  const std::string head = "name: x\ndaemon: {command: [d]}\n";
  return {
      {"BinaryGarbage", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "1:1",
       "invalid UTF-8 byte 0x89"},
      {"NulByte", head + std::string("steps: [sl\0eep: 0]\n", 19), "3:11",
       "NUL byte: this is not a text file"},
      {"ControlCharacter", head + "steps: [sleep: 0]\x1b\n", "3:18", "control character 0x1B"},
      {"InvalidUtf8", head + "description: caf\xe9\nsteps: [sleep: 0]\n", "3:17",
       "invalid UTF-8 byte 0xE9"},
      {"DeepFlowNesting", head + "steps: " + std::string(100000, '['), "3:71",
       "nested deeper than 64 levels"},
      {"DeepMappingFlowNesting",
       head + "steps: [sleep: 0]\nbody: " +
           [] {
             std::string s;
             for (int i = 0; i < 200; ++i) s += "{a: ";
             return s + "1" + std::string(200, '}');
           }(),
       "4:259", "nested deeper than 64 levels"},
      {"DeepBlockNesting", deep_block(100), "68:129", "nested deeper than 64 levels"},
      {"DeepSequenceMarkers",
       head + "steps:\n" +
           [] {
             std::string s;
             for (int i = 0; i < 100; ++i) s += "- ";
             return s + "x\n";
           }(),
       "4:129", "nested deeper than 64 levels"},
      {"TooLarge", head + "description: \"" + std::string(1 << 20, 'a') + "\"\n", "1:1",
       "file is larger than 1 MiB"},
  };
}

void PrintTo(const GeneratedCase& c, std::ostream* out) { *out << c.name; }

class GeneratedBadScenario : public testing::TestWithParam<GeneratedCase> {};

TEST_P(GeneratedBadScenario, IsRejectedWithLocationAndReason) {
  const GeneratedCase& c = GetParam();
  const std::string what =
      error_of([&] { parse_scenario_text(c.text, "gen.yaml", kCliVariables); });
  EXPECT_EQ(what.rfind("gen.yaml:" + c.location + ": ", 0), 0u) << what;
  EXPECT_NE(what.find(c.message), std::string::npos) << what;
}

INSTANTIATE_TEST_SUITE_P(Generated, GeneratedBadScenario, testing::ValuesIn(generated_cases()),
                         [](const testing::TestParamInfo<GeneratedCase>& info) {
                           return info.param.name;
                         });

TEST(BadScenarioInput, NestingJustUnderTheLimitIsFine) {
  // 60 levels of flow nesting in a description value: legal YAML, accepted.
  const std::string text =
      "name: x\ndaemon: {command: [d]}\nsteps: [sleep: 0]\n"
      "description: " +
      std::string(60, '[') + std::string(60, ']') + "\n";
  EXPECT_EQ(error_of([&] { parse_scenario_text(text, "ok.yaml", kCliVariables); }),
            "ok.yaml:4:14: description: expected a string, got a list");
}

TEST(BadScenarioInput, BracketsInsideStringsAndCommentsDoNotCount) {
  const std::string text =
      "name: x # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
      "daemon: {command: [\"" +
      std::string(100, '[') +
      "\"]}\n"
      "description: '" +
      std::string(100, '{') +
      "'\n"
      "steps: [sleep: 0]\n";
  EXPECT_EQ(error_of([&] { parse_scenario_text(text, "ok.yaml", kCliVariables); }), "(no error)");
}

}  // namespace
}  // namespace leakgate
