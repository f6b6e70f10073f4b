#include "leakgate/creation_stack.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace leakgate {
namespace {

TEST(Addr2lineOutput, ParsesInlineChainsPerAddress) {
  const auto chains = detail::parse_addr2line_output(
      "0x000000000000476e\n"
      "leakgate::Accounted::Accounted(leakgate::ResourceKind&)\n/src/accounted.h:13\n"
      "make_widget()\n/src/demo.cpp:12\n"
      "0x0000000000001234\n"
      "main\n/src/demo.cpp:30 (discriminator 2)\n"
      "0x0000000000000010\n"
      "??\n??:0\n"
      "0x0000000000000020\n"
      "_start\n??:?\n");
  ASSERT_EQ(chains.size(), 4u);
  ASSERT_EQ(chains[0].size(), 2u);
  EXPECT_EQ(chains[0][0].function, "leakgate::Accounted::Accounted(leakgate::ResourceKind&)");
  EXPECT_EQ(chains[0][1].function, "make_widget()");
  EXPECT_EQ(chains[0][1].file, "/src/demo.cpp");
  EXPECT_EQ(chains[0][1].line, 12);
  EXPECT_EQ(chains[1][0].line, 30);
  EXPECT_EQ(chains[2][0].function, "");
  EXPECT_EQ(chains[2][0].file, "");
  EXPECT_EQ(chains[3][0].function, "_start");
  EXPECT_EQ(chains[3][0].file, "");
}

// eu-addr2line and llvm-addr2line (LEAKGATE_ADDR2LINE) print a column after the line.
TEST(Addr2lineOutput, ReadsTheLineBeforeAColumn) {
  const auto chains = detail::parse_addr2line_output(
      "0x0000000000001139\nin_header\n/src/h.h:2:61\n"
      "0x1\nf\n/src/odd:name.c:7\n");
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[0][0].file, "/src/h.h");
  EXPECT_EQ(chains[0][0].line, 2);
  EXPECT_EQ(chains[1][0].file, "/src/odd:name.c");
  EXPECT_EQ(chains[1][0].line, 7);
}

TEST(Addr2lineOutput, ToleratesGarbage) {
  EXPECT_TRUE(detail::parse_addr2line_output("").empty());
  EXPECT_TRUE(detail::parse_addr2line_output("f\nfile:1\n").empty());  // no address line
  const auto odd = detail::parse_addr2line_output("0x1\nf\nno-colon\n0x2\ndangling");
  ASSERT_EQ(odd.size(), 2u);
  ASSERT_EQ(odd[0].size(), 1u);
  EXPECT_EQ(odd[0][0].line, 0);
  EXPECT_TRUE(odd[1].empty());
}

__attribute__((noinline)) std::vector<uintptr_t> capture_here() { return capture_stack(); }

TEST(CreationStack, CapturesAndSymbolizesCaller) {
  const auto frames = capture_here();
  ASSERT_FALSE(frames.empty());
  const auto symbols = symbolize(frames);
  ASSERT_EQ(symbols.size(), frames.size());
  const SymbolizedFrame& top = symbols[0].back();
  EXPECT_NE(top.function.find("capture_here"), std::string::npos) << top.str();
  EXPECT_NE(top.file.find("creation_stack_test.cpp"), std::string::npos) << top.str();
  EXPECT_GT(top.line, 0);
  EXPECT_FALSE(top.inlined);
}

TEST(CreationStack, DegradesWithoutAddr2line) {
  setenv("LEAKGATE_ADDR2LINE", "/nonexistent/addr2line", 1);
  const auto symbols = symbolize(capture_here());
  unsetenv("LEAKGATE_ADDR2LINE");
  ASSERT_FALSE(symbols.empty());
  ASSERT_EQ(symbols[0].size(), 1u);
  EXPECT_TRUE(symbols[0][0].file.empty());
  EXPECT_FALSE(symbols[0][0].module.empty());
  EXPECT_NE(symbols[0][0].str().find("+0x"), std::string::npos) << symbols[0][0].str();
}

TEST(CreationStack, UnknownAddressIsQuestionMarks) {
  const auto symbols = symbolize({0, 16});
  ASSERT_EQ(symbols.size(), 2u);
  EXPECT_EQ(symbols[0][0].function, "??");
  EXPECT_EQ(symbols[1][0].str(), "??");
}

}  // namespace
}  // namespace leakgate
