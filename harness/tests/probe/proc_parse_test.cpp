#include "leakgate/proc_parse.h"

#include <gtest/gtest.h>

namespace leakgate {
namespace {

// Real lines captured from Linux 6.x, trimmed where long.
constexpr std::string_view kStat =
    "4242 (my (weird) daemon) S 4200 4242 4200 34816 4242 4194560 1520 0 0 0 12 3 0 0 20 0 "
    "7 0 123456 22937600 1234 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

constexpr std::string_view kStatus =
    "Name:\tdaemon\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nPid:\t4242\n"
    "PPid:\t4200\nVmRSS:\t    4936 kB\nThreads:\t7\nSigQ:\t0/62811\n";

constexpr std::string_view kSmapsRollup =
    "55d0c0a3e000-7ffd3a5f7000 ---p 00000000 00:00 0                          [rollup]\n"
    "Rss:                4936 kB\nPss:                1405 kB\nPss_Anon:            768 kB\n"
    "Shared_Clean:       3920 kB\n";

TEST(ProcParse, StatmResidentPages) {
  EXPECT_EQ(parse_statm_resident_pages("5600 1234 987 23 0 455 0\n"), 1234);
  EXPECT_EQ(parse_statm_resident_pages("0 0 0 0 0 0 0"), 0);
  EXPECT_FALSE(parse_statm_resident_pages(""));
  EXPECT_FALSE(parse_statm_resident_pages("5600"));
  EXPECT_FALSE(parse_statm_resident_pages("x 1"));
  EXPECT_FALSE(parse_statm_resident_pages("5600x1"));
}

TEST(ProcParse, StatFieldsAfterCommWithSpacesAndParens) {
  EXPECT_EQ(parse_stat_ppid(kStat), 4200);
  EXPECT_EQ(parse_stat_num_threads(kStat), 7);
  EXPECT_EQ(parse_stat_ppid("1 (systemd) S 0 1 1 0 -1 4194560"), 0);
  EXPECT_EQ(parse_stat_cpu_ticks(kStat), 12 + 3);
}

TEST(ProcParse, StatMalformed) {
  EXPECT_FALSE(parse_stat_ppid(""));
  EXPECT_FALSE(parse_stat_ppid("4242 no parens S 1"));
  EXPECT_FALSE(parse_stat_num_threads("4242 (short) S 1 2 3"));
  EXPECT_FALSE(parse_stat_ppid("4242 (x) S"));
  EXPECT_FALSE(parse_stat_cpu_ticks("4242 (x) S 1 2 3 4 5 6 7 8 9 10 11"));  // no stime
}

TEST(ProcParse, StatusThreads) {
  EXPECT_EQ(parse_status_threads(kStatus), 7);
  EXPECT_FALSE(parse_status_threads("Name:\tx\nThreadsX:\t3\n"));
  EXPECT_FALSE(parse_status_threads("Threads:\tmany\n"));
  EXPECT_FALSE(parse_status_threads(""));
}

TEST(ProcParse, SmapsRollupPss) {
  EXPECT_EQ(parse_smaps_rollup_pss_bytes(kSmapsRollup), 1405 * 1024);
  EXPECT_FALSE(parse_smaps_rollup_pss_bytes("Rss: 10 kB\nPss_Anon: 3 kB\n"));
  EXPECT_FALSE(parse_smaps_rollup_pss_bytes(""));
}

TEST(ProcParse, ChildrenList) {
  EXPECT_EQ(count_pid_list(""), 0);
  EXPECT_EQ(count_pid_list("123 "), 1);
  EXPECT_EQ(count_pid_list("123 456 789"), 3);
  EXPECT_EQ(count_pid_list("12 x 13"), 1);  // stops at garbage
}

TEST(ProcParse, FdTargets) {
  EXPECT_EQ(classify_fd_target("socket:[123456]"), FdType::kSocket);
  EXPECT_EQ(classify_fd_target("pipe:[98765]"), FdType::kPipe);
  EXPECT_EQ(classify_fd_target("anon_inode:[eventfd]"), FdType::kAnon);
  EXPECT_EQ(classify_fd_target("anon_inode:[eventpoll]"), FdType::kAnon);
  EXPECT_EQ(classify_fd_target("anon_inode:[timerfd]"), FdType::kAnon);
  EXPECT_EQ(classify_fd_target("anon_inode:inotify"), FdType::kAnon);
  EXPECT_EQ(classify_fd_target("/memfd:jit (deleted)"), FdType::kAnon);
  EXPECT_EQ(classify_fd_target("/var/lib/tracker/tracker.db"), FdType::kFile);
  EXPECT_EQ(classify_fd_target("/tmp/x.db-wal (deleted)"), FdType::kFile);
  EXPECT_EQ(classify_fd_target("/dev/null"), FdType::kFile);
  EXPECT_EQ(classify_fd_target("net:[4026531840]"), FdType::kOther);
  EXPECT_EQ(classify_fd_target(""), FdType::kOther);
  EXPECT_STREQ(to_string(FdType::kSocket), "socket");
  EXPECT_STREQ(to_string(FdType::kPipe), "pipe");
  EXPECT_STREQ(to_string(FdType::kFile), "file");
  EXPECT_STREQ(to_string(FdType::kAnon), "anon");
  EXPECT_STREQ(to_string(FdType::kOther), "other");
}

TEST(ProcParse, StatusSignalMasks) {
  const std::string status =
      "Name:\tpython3\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000100\n"
      "SigBlk:\t0000000000000000\nSigIgn:\t0000000001001000\nSigCgt:\t0000000180000a02\n";
  EXPECT_EQ(parse_status_signal_mask(status, "SigCgt"), 0x180000a02u);
  EXPECT_EQ(parse_status_signal_mask(status, "ShdPnd"), 0x100u);  // bit 8: SIGKILL (9)
  EXPECT_EQ(parse_status_signal_mask(status, "SigPnd"), 0u);
  EXPECT_EQ(parse_status_signal_mask(status, "SigQ"), std::nullopt);
  EXPECT_EQ(parse_status_signal_mask("SigCgt:\tzz\n", "SigCgt"), std::nullopt);
}

TEST(ProcParse, StatFieldsAfterAnOddCommand) {
  const auto fields = parse_stat_fields(
      "4242 (a) b (c)) S 17 4240 4240 0 -1 4194368 95 0 0 0 0 0 0 0 20 0 1 0 123456 2269184 "
      "196 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->comm, "a) b (c)");
  EXPECT_EQ(fields->state, 'S');
  EXPECT_EQ(fields->ppid, 17);
  EXPECT_EQ(fields->pgrp, 4240);
  EXPECT_EQ(fields->flags, 4194368U);
  EXPECT_EQ(fields->threads, 1);
  EXPECT_EQ(fields->start_time, 123456U);
  EXPECT_FALSE(parse_stat_fields("4242 (sleep) S 1 2 3"));
  EXPECT_FALSE(parse_stat_fields("no parenthesis"));
}

TEST(ProcParse, CommandLineEnvironAndPendingKill) {
  using namespace std::string_literals;
  EXPECT_EQ(join_cmdline("sleep\0"s
                         "300\0"s),
            "sleep 300");
  EXPECT_EQ(join_cmdline("nginx: worker process"), "nginx: worker process");
  EXPECT_EQ(join_cmdline(""), "");
  EXPECT_TRUE(environ_has("A=1\0M=tok\0"s, "M=tok"));
  EXPECT_FALSE(environ_has("A=1\0M=tok2\0"s, "M=tok"));
  EXPECT_FALSE(environ_has("XM=tok\0"s, "M=tok"));
  EXPECT_TRUE(environ_has("M=tok"s, "M=tok"));
  EXPECT_TRUE(status_kill_pending("Name:\tx\nSigPnd:\t0000000000000100\nShdPnd:\t0\n"));
  EXPECT_TRUE(status_kill_pending("Name:\tx\nSigPnd:\t0\nShdPnd:\t0000000000000100\n"));
  EXPECT_FALSE(status_kill_pending("Name:\tx\nSigPnd:\t0000000000004000\nShdPnd:\t0\n"));
}

}  // namespace
}  // namespace leakgate
