// first_unknown_word() against a CLI11 app shaped like leakgate's: the typos of issue 26 are
// named as typos, and nothing a user may legitimately write is taken for one.
#include "command_line_typos.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace leakgate::cli {
namespace {

class CommandLineTypos : public ::testing::Test {
 protected:
  CommandLineTypos() {
    app_.require_subcommand(1);
    app_.set_version_flag("--version", "leakgate test");
    CLI::App* run = app_.add_subcommand("run", "");
    run->add_option("files", files_)->required();
    run->add_option("--iterations", number_);
    run->add_option("--report-dir", text_);
    run->add_option("--var", many_);
    run->add_option("--sample-hz", real_);
    run->add_flag("--keep", flag_);
    app_.add_subcommand("report", "")->add_option("DIR", many_);
    app_.add_subcommand("compare", "")->add_option("--report-dir", text_);
    CLI::App* baseline = app_.add_subcommand("baseline", "");
    baseline->require_subcommand(1);
    baseline->add_subcommand("set", "")->add_option("RUN", text_);
    baseline->add_subcommand("show", "");
    CLI::App* history = app_.add_subcommand("history", "");
    history->require_subcommand(1);
    history->add_subcommand("export", "")->add_option("-o,--output", text_);
  }
  std::string check(std::vector<std::string> args) { return first_unknown_word(app_, args); }

  CLI::App app_{"leakgate"};
  std::vector<std::string> files_, many_;
  std::string text_;
  int number_ = 0;
  double real_ = 0;
  bool flag_ = false;
};

TEST_F(CommandLineTypos, MisspeltSubcommandGetsTheClosest) {
  EXPECT_EQ(check({"rnu", "x.yaml"}), "leakgate: unknown subcommand 'rnu'; did you mean 'run'?");
  EXPECT_EQ(check({"comapre"}), "leakgate: unknown subcommand 'comapre'; did you mean 'compare'?");
  EXPECT_EQ(check({"baseline", "sho"}),
            "leakgate baseline: unknown subcommand 'sho'; did you mean 'show'?");
}

TEST_F(CommandLineTypos, FarSubcommandListsTheChoices) {
  EXPECT_EQ(check({"frobnicate"}),
            "leakgate: unknown subcommand 'frobnicate'; one of: run, report, compare, baseline, "
            "history");
}

TEST_F(CommandLineTypos, MisspeltOptionIsAnUnknownOptionNotAFile) {
  EXPECT_EQ(check({"run", "ok.yaml", "--iteration", "5"}),
            "leakgate run: unknown option '--iteration'; did you mean '--iterations'?");
  EXPECT_EQ(check({"run", "ok.yaml", "--iteration=5"}),
            "leakgate run: unknown option '--iteration'; did you mean '--iterations'?");
  EXPECT_EQ(check({"run", "--reportdir", "r", "ok.yaml"}),
            "leakgate run: unknown option '--reportdir'; did you mean '--report-dir'?");
  EXPECT_EQ(check({"run", "ok.yaml", "--Keep"}),
            "leakgate run: unknown option '--Keep'; did you mean '--keep'?");
  EXPECT_EQ(check({"run", "ok.yaml", "--zzzzzz"}),
            "leakgate run: unknown option '--zzzzzz' (leakgate run --help lists the options)");
  EXPECT_EQ(check({"run", "ok.yaml", "-x"}),
            "leakgate run: unknown option '-x' (leakgate run --help lists the options)");
  // An option of another subcommand is unknown here.
  EXPECT_EQ(check({"baseline", "show", "--keep"}),
            "leakgate baseline show: unknown option '--keep' (leakgate baseline show --help lists "
            "the options)");
}

TEST_F(CommandLineTypos, WhatUsersWriteIsNoTypo) {
  EXPECT_EQ(check({"run", "a.yaml", "b.yaml", "--iterations", "5", "--keep"}), "");
  EXPECT_EQ(check({"run", "--report-dir", "run", "a.yaml"}), "");  // a value named like a command
  EXPECT_EQ(check({"run", "a.yaml", "--var", "X=-1", "--sample-hz=0.5"}), "");
  EXPECT_EQ(check({"run", "a.yaml", "--sample-hz", "-1"}), "");  // CLI11 judges the value
  EXPECT_EQ(check({"run", "--", "-odd-file-name.yaml"}), "");
  EXPECT_EQ(check({"baseline", "set", "run-20240101"}), "");
  EXPECT_EQ(check({"history", "export", "-o", "-"}), "");
  EXPECT_EQ(check({"history", "export", "-oout.json"}), "");
  EXPECT_EQ(check({"--version"}), "");
  EXPECT_EQ(check({"--help"}), "");
  EXPECT_EQ(check({"run", "--help"}), "");
  EXPECT_EQ(check({}), "");  // CLI11 says a subcommand is required
}

}  // namespace
}  // namespace leakgate::cli
