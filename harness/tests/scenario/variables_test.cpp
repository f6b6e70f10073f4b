#include "leakgate/variables.h"

#include <gtest/gtest.h>

namespace leakgate {
namespace {

std::string expansion_error(std::string_view text, const Variables& values) {
  try {
    expand_variables(text, values);
  } catch (const VariableError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Variables, Expands) {
  const Variables values = {{"ITER", "3"}, {"id", "42"}, {"EMPTY", ""}};
  EXPECT_EQ(expand_variables("leak ${ITER}", values), "leak 3");
  EXPECT_EQ(expand_variables("/issues/${id}/x${ITER}${id}", values), "/issues/42/x342");
  EXPECT_EQ(expand_variables("a${EMPTY}b", values), "ab");
  EXPECT_EQ(expand_variables("", values), "");
  EXPECT_EQ(expand_variables("no variables", values), "no variables");
}

TEST(Variables, DollarEscapesAndLoneDollars) {
  EXPECT_EQ(expand_variables("$$", {}), "$");
  EXPECT_EQ(expand_variables("$${ITER}", {}), "${ITER}");
  EXPECT_EQ(expand_variables("cost $5 and $HOME and $", {}), "cost $5 and $HOME and $");
  EXPECT_EQ(expand_variables("$$$$", {}), "$$");
}

TEST(Variables, ValuesAreNotExpandedAgain) {
  EXPECT_EQ(expand_variables("${A}", {{"A", "${B}"}}), "${B}");
}

TEST(Variables, Errors) {
  EXPECT_EQ(expansion_error("x ${nope} y", {{"A", "1"}}),
            "undefined variable '${nope}' in 'x ${nope} y'; defined: A");
  EXPECT_EQ(
      expansion_error("leak ${ITER", {}),
      "unterminated '${' at offset 5 in 'leak ${ITER'; write ${NAME} for a variable or $$ for "
      "a literal '$'");
  EXPECT_NE(expansion_error("${1x}", {}).find("invalid variable name '${1x}'"), std::string::npos);
  EXPECT_NE(expansion_error("${}", {}).find("invalid variable name '${}'"), std::string::npos);
  EXPECT_NE(expansion_error("${a b}", {}).find("invalid variable name"), std::string::npos);
  try {
    expand_variables("abc ${x", {});
  } catch (const VariableError& e) {
    EXPECT_EQ(e.offset(), 4u);
  }
}

TEST(Variables, ReferencedNamesInOrderOnce) {
  EXPECT_EQ(referenced_variables("${B} ${A} ${B} $${C} $D"), (std::vector<std::string>{"B", "A"}));
  EXPECT_TRUE(referenced_variables("plain").empty());
  EXPECT_THROW(referenced_variables("${open"), VariableError);
}

// Binding some variables first and the rest later gives what expanding once with all would.
TEST(Variables, BindingSomeFirstKeepsTheRestATemplate) {
  const std::string text = "${BIN} $HOME $$5 ${WORKDIR}/x";
  const std::string bound = bind_variables(text, {{"BIN", "/opt/a$b"}});
  EXPECT_EQ(bound, "/opt/a$$b $$HOME $$5 ${WORKDIR}/x");
  EXPECT_EQ(expand_variables(bound, {{"WORKDIR", "/w"}}), "/opt/a$b $HOME $5 /w/x");
  EXPECT_EQ(expand_variables(bound, {{"WORKDIR", "/w"}}),
            expand_variables(text, {{"BIN", "/opt/a$b"}, {"WORKDIR", "/w"}}));
  EXPECT_EQ(bind_variables("${V}", {{"V", "${W}"}}), "$${W}");  // a value is never a template
  EXPECT_THROW(bind_variables("${open", {}), VariableError);
}

TEST(Variables, NameRule) {
  EXPECT_TRUE(is_valid_variable_name("ITER"));
  EXPECT_TRUE(is_valid_variable_name("_x9"));
  EXPECT_FALSE(is_valid_variable_name("9x"));
  EXPECT_FALSE(is_valid_variable_name("a-b"));
  EXPECT_FALSE(is_valid_variable_name(""));
}

}  // namespace
}  // namespace leakgate
