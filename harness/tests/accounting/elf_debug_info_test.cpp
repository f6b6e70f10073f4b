// Real ELF files: this test binary (built with line tables), a copy stripped of them by
// objcopy, libc, and files that are not ELF.
#include "elf_debug_info.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "../support/test_dir.h"

namespace leakgate::detail {
namespace {

std::string self_path() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

TEST(ElfDebugInfo, ABinaryWithLineTablesHasThem) {
  const auto sections = read_elf_debug_sections(self_path());
  ASSERT_TRUE(sections.has_value());
  EXPECT_TRUE(sections->debug_line);
  EXPECT_EQ(sections->build_id.size(), 40u) << "a 20-byte GNU build id, in hex";
  EXPECT_TRUE(module_has_line_info(self_path(), /*main_program=*/true));
  EXPECT_TRUE(module_has_line_info(self_path(), /*main_program=*/false));
}

TEST(ElfDebugInfo, AStrippedCopyHasNoLineTablesButKeepsItsBuildId) {
  testing::TestDir dir;
  const std::string stripped = dir.file("stripped");
  const std::string command = "objcopy --strip-debug '" + self_path() + "' '" + stripped + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const auto sections = read_elf_debug_sections(stripped);
  ASSERT_TRUE(sections.has_value());
  EXPECT_FALSE(sections->debug_line);
  EXPECT_EQ(sections->build_id, read_elf_debug_sections(self_path())->build_id);
  EXPECT_FALSE(module_has_line_info(stripped, true)) << "no separate debug file exists for it";
}

TEST(ElfDebugInfo, ADebugFileBesideTheModuleCounts) {
  testing::TestDir dir;
  const std::string stripped = dir.file("module");
  const std::string command = "objcopy --strip-debug --add-gnu-debuglink='" + self_path() + "' '" +
                              self_path() + "' '" + stripped + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const auto sections = read_elf_debug_sections(stripped);
  ASSERT_TRUE(sections.has_value());
  const std::string link = std::filesystem::path(self_path()).filename().string();
  EXPECT_EQ(sections->debuglink, link);
  EXPECT_FALSE(module_has_line_info(stripped, true)) << "the linked file is not beside it yet";
  std::filesystem::copy_file(self_path(), dir.file(link));
  const std::string copy = dir.file("module-copy");  // a new path: the answer is cached
  std::filesystem::copy_file(stripped, copy);
  EXPECT_TRUE(module_has_line_info(copy, /*main_program=*/true));
  // A shared library's separate debug file is not worth loading: dladdr's names stay.
  EXPECT_FALSE(module_has_line_info(copy, /*main_program=*/false));
}

TEST(ElfDebugInfo, SystemLibcIsReadable) {
  const auto sections = read_elf_debug_sections("/lib/x86_64-linux-gnu/libc.so.6");
  ASSERT_TRUE(sections.has_value());
  EXPECT_FALSE(sections->build_id.empty());
}

TEST(ElfDebugInfo, NotElfOrTruncatedIsNulloptAndLeftToAddr2line) {
  testing::TestDir dir;
  const std::string text = dir.file("text");
  std::ofstream(text) << "not an ELF file\n";
  EXPECT_FALSE(read_elf_debug_sections(text).has_value());
  EXPECT_TRUE(module_has_line_info(text, false));

  const std::string truncated = dir.file("truncated");
  std::filesystem::copy_file(self_path(), truncated);
  std::filesystem::resize_file(truncated, 100);
  EXPECT_FALSE(read_elf_debug_sections(truncated).has_value());
  EXPECT_FALSE(read_elf_debug_sections(dir.file("missing")).has_value());
}

}  // namespace
}  // namespace leakgate::detail
