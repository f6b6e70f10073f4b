// Floors, not points (issue 23): a figure counts at a snapshot only when every sample of the
// confirmation window has it; what came and went is transient, with how often it was seen.
#include "sample/floor_window.h"

#include <gtest/gtest.h>

#include <functional>

namespace leakgate {
namespace {

FdInfo file(int fd, const std::string& path) { return FdInfo{fd, FdType::kFile, path}; }
FdInfo socket_fd(int fd, const std::string& inode) {
  return FdInfo{fd, FdType::kSocket, "socket:[" + inode + "]"};
}

// A daemon with 9 steady fds that writes an export for 200 ms of every second, sampled every
// 100 ms: `open` says whether the export is open at sample i.
FloorReport periodic_export(int samples, const std::function<bool(int)>& open) {
  FloorWindow window;
  std::vector<FdInfo> steady;
  for (int fd = 3; fd < 12; ++fd) steady.push_back(socket_fd(fd, std::to_string(100 + fd)));
  for (int i = 0; i < samples; ++i) {
    std::vector<FdInfo> fds = steady;
    if (open(i)) fds.push_back(file(12, "/w/export.json.tmp.19963"));
    const double count = static_cast<double>(fds.size());
    window.add(0.1 * i, Frame{{"daemon.fds", count}, {"daemon.rss", 4096.0 * (100 + i)}}, fds);
  }
  return window.report();
}

TEST(FloorWindow, AFileOpenForAMomentIsTransientNotGrowth) {
  const FloorReport report = periodic_export(10, [](int i) { return i == 3 || i == 4; });
  EXPECT_EQ(report.floor.at("daemon.fds"), 9);
  EXPECT_EQ(report.fds.size(), 9u);
  ASSERT_EQ(report.transient_fds.size(), 1u);
  EXPECT_EQ(report.transient_fds[0].fd.target, "/w/export.json.tmp.19963");
  EXPECT_EQ(report.transient_fds[0].seen, 2);
  ASSERT_EQ(report.transient_figures.size(), 1u);  // rss moves but is not an integer figure
  EXPECT_EQ(report.transient_figures[0].metric, "daemon.fds");
  EXPECT_EQ(report.transient_figures[0].high, 10);
  EXPECT_EQ(report.transient_figures[0].above, 2);
  EXPECT_EQ(report.samples, 10);
  EXPECT_NEAR(report.seconds, 0.9, 1e-9);
}

// daemon.cgroup.memory is bytes (cgroup v1 batches its charges per CPU: it moves by ~100 KiB
// with nothing allocated). Its dips and rises are no figure that came and went, and they do not
// hold the window open as the fds' do (once, when it was judged by name, every such run waited
// for settle.confirm_max).
TEST(FloorWindow, ByteFiguresAreNotConfirmedAsIntegers) {
  EXPECT_FALSE(is_integer_figure("daemon.cgroup.memory"));
  EXPECT_FALSE(is_integer_figure("daemon.rss"));
  EXPECT_FALSE(is_integer_figure("daemon.py.heap"));
  EXPECT_TRUE(is_integer_figure("daemon.cgroup.pids"));
  EXPECT_TRUE(is_integer_figure("daemon.fds"));
  EXPECT_TRUE(is_integer_figure("daemon.engines"));
  FloorWindow window;
  for (int i = 0; i < 10; ++i) {
    const double memory = 2'359'296.0 - (i % 3 == 1 ? 176'128.0 : 0.0);
    window.add(0.1 * i, Frame{{"daemon.fds", 9}, {"daemon.cgroup.memory", memory}}, {});
  }
  EXPECT_FALSE(window.saw_rise());
  EXPECT_FALSE(window.saw_fall());
  EXPECT_TRUE(window.report().transient_figures.empty());
}

TEST(FloorWindow, AFileOpenInEverySampleIsCounted) {
  const FloorReport report = periodic_export(10, [](int) { return true; });
  EXPECT_EQ(report.floor.at("daemon.fds"), 10);
  EXPECT_EQ(report.fds.size(), 10u);
  EXPECT_TRUE(report.transient_fds.empty());
  EXPECT_TRUE(report.transient_figures.empty());
}

// The baseline is what the daemon had most of the time: a shell daemon's `sleep` child is gone
// for an instant between two sleeps, and a baseline that counted that instant would make the
// final's child look like growth. A file open for a moment is no part of it either.
TEST(FloorWindow, TheBaselineLevelIsWhatMostSamplesHad) {
  FloorWindow window;
  for (int i = 0; i < 10; ++i) {
    const bool blink = i == 4;  // the child is between two sleeps
    const bool export_open = i == 7;
    std::vector<FdInfo> fds{file(3, "/w/db")};
    if (export_open) fds.push_back(file(4, "/w/export.tmp"));
    window.add(0.02 * i,
               Frame{{"daemon.children", blink ? 0.0 : 1.0},
                     {"daemon.fds", static_cast<double>(fds.size())}},
               fds);
  }
  const FloorReport most = window.report(FloorWindow::Level::kMostSamples);
  EXPECT_EQ(most.floor.at("daemon.children"), 1);
  EXPECT_EQ(most.floor.at("daemon.fds"), 1);
  ASSERT_EQ(most.fds.size(), 1u);
  ASSERT_EQ(most.transient_fds.size(), 1u);
  const FloorReport every = window.report(FloorWindow::Level::kEverySample);
  EXPECT_EQ(every.floor.at("daemon.children"), 0);  // the final asks more: every sample
}

TEST(FloorWindow, TheSameNumberWithAnotherTargetIsNotTheSameFd) {
  FloorWindow window;
  window.add(0.0, Frame{{"daemon.fds", 1}}, {file(5, "/w/a")});
  window.add(0.1, Frame{{"daemon.fds", 1}}, {file(5, "/w/b")});
  const FloorReport report = window.report();
  EXPECT_TRUE(report.fds.empty());
  ASSERT_EQ(report.transient_fds.size(), 1u);  // /w/a went
  EXPECT_EQ(report.transient_fds[0].fd.target, "/w/a");
  ASSERT_EQ(report.opened_fds.size(), 1u);  // /w/b came and stays
  EXPECT_EQ(report.floor.at("daemon.fds"), 1);  // the count itself never dipped
}

// A file kept open after another was renamed over it ("(deleted)") is the same open file.
TEST(FloorWindow, AFileThatGetsDeletedIsTheSameFd) {
  FloorWindow window;
  window.add(0.0, Frame{{"daemon.fds", 1}}, {file(7, "/w/export.json")});
  window.add(0.1, Frame{{"daemon.fds", 1}}, {file(7, "/w/export.json (deleted)")});
  const FloorReport report = window.report();
  ASSERT_EQ(report.fds.size(), 1u);
  EXPECT_EQ(report.fds[0].target, "/w/export.json (deleted)");
  EXPECT_TRUE(report.transient_fds.empty());
  EXPECT_FALSE(window.saw_rise());
}

TEST(FloorWindow, LearnsThePeriodFromTheGapBetweenTwoRises) {
  FloorWindow window;
  const auto add = [&](double t, bool open) {
    std::vector<FdInfo> fds{file(3, "/w/db")};
    if (open) fds.push_back(file(4, "/w/export.tmp"));
    window.add(t, Frame{{"daemon.fds", static_cast<double>(fds.size())}}, fds);
  };
  add(0.0, false);
  EXPECT_FALSE(window.saw_rise());
  add(0.1, true);
  add(0.2, true);  // the same excursion, not a second rise
  EXPECT_TRUE(window.saw_rise());
  EXPECT_FALSE(window.learnt_period());
  add(0.3, false);
  add(0.6, false);
  add(1.1, true);
  ASSERT_TRUE(window.learnt_period());
  EXPECT_NEAR(*window.learnt_period(), 1.0, 1e-9);
}

TEST(FloorWindow, AFallIsNoRise) {
  FloorWindow window;
  window.add(0.0, Frame{{"daemon.fds", 2}}, {file(3, "/w/a"), file(4, "/w/b")});
  EXPECT_FALSE(window.saw_fall());
  window.add(0.1, Frame{{"daemon.fds", 1}}, {file(3, "/w/a")});
  EXPECT_FALSE(window.saw_rise());
  EXPECT_TRUE(window.saw_fall());
  EXPECT_EQ(window.report().floor.at("daemon.fds"), 1);
}

TEST(FloorWindow, AboveAReferenceComparesIntegerFloorsOnly) {
  FloorWindow window;
  window.add(0.0, Frame{{"daemon.fds", 9}, {"daemon.rss", 9e6}}, {});
  EXPECT_FALSE(window.above(Frame{{"daemon.fds", 9}, {"daemon.rss", 1e6}}));
  EXPECT_TRUE(window.above(Frame{{"daemon.fds", 8}}));
  window.add(0.1, Frame{{"daemon.fds", 8}}, {});
  EXPECT_FALSE(window.above(Frame{{"daemon.fds", 8}}));
}

// A leak that goes on during the window: the floor is where it stood when the window began,
// and every fd that stayed through the window is listed (the growth before it is caught).
TEST(FloorWindow, ALeakDuringTheWindowKeepsItsEarlierFds) {
  FloorWindow window;
  std::vector<FdInfo> fds;
  for (int i = 0; i < 5; ++i) {
    fds.push_back(socket_fd(3 + i, std::to_string(i)));
    window.add(0.02 * i, Frame{{"daemon.fds", static_cast<double>(fds.size())}}, fds);
  }
  const FloorReport report = window.report();
  EXPECT_EQ(report.floor.at("daemon.fds"), 1);
  EXPECT_EQ(report.fds.size(), 1u);
  EXPECT_TRUE(report.transient_fds.empty());  // they stay: growth going on, not come and gone
  EXPECT_EQ(report.opened_fds.size(), 4u);
  EXPECT_TRUE(report.transient_figures.empty());  // daemon.fds is still above its floor
}

}  // namespace
}  // namespace leakgate
