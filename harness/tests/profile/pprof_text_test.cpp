#include "profile/pprof_text.h"

#include <gtest/gtest.h>

#include "judge/attribution.h"
#include "profile/wrapper_outputs.h"

namespace leakgate {
namespace {

// google-pprof 2.10 --text --inuse_space --show_bytes --base=... on trackerd, trimmed.
constexpr const char* kBytes = R"(Using local file /build/tracker/trackerd.
Using local file /tmp/leakgate-x/heap.0002.heap.
Total: 2637824 B
 2621440  99.4%  99.4%  2621440  99.4% tracker::leak_per_request
   24576   0.9% 100.3%    24576   0.9% std::vector::_M_realloc_insert
   -8192  -0.3% 100.0%    -8192  -0.3% sqlite3MemMalloc
       0   0.0% 100.0%  2637824 100.0% start_thread
       0   0.0% 100.0%  2621440  99.4% httplib::Server::process_and_close_socket
)";

constexpr const char* kObjects = R"(Using local file /build/tracker/trackerd.
Total: 41 objects
      40  97.6%  97.6%       40  97.6% tracker::leak_per_request
       1   2.4% 100.0%        1   2.4% std::vector::_M_realloc_insert
      -2  -4.9%  95.1%       -2  -4.9% sqlite3MemMalloc
)";

TEST(PprofText, ReadsTotalAndRowsIncludingNegativeOnes) {
  const PprofTable table = parse_pprof_text(kBytes);
  ASSERT_TRUE(table.total.has_value());
  EXPECT_EQ(*table.total, 2637824);
  ASSERT_EQ(table.rows.size(), 5u);
  EXPECT_EQ(table.rows[0].function, "tracker::leak_per_request");
  EXPECT_EQ(table.rows[0].flat, 2621440);
  EXPECT_EQ(table.rows[2].flat, -8192);
  EXPECT_EQ(table.rows[4].function, "httplib::Server::process_and_close_socket");
  EXPECT_EQ(table.rows[4].cumulative, 2621440);
}

TEST(PprofText, KeepsFunctionNamesWithSpacesAndSkipsOtherLines) {
  const PprofTable table = parse_pprof_text(
      "Dropping nodes with <= 12 B; edges with <= 2 abs(B)\n"
      "     512  50.0%  50.0%      512  50.0% operator new[] \n"
      "   512.5   nan%    inf%   512.5   nan% (anonymous namespace)::f\n"
      "garbage 1 2 3\n");
  EXPECT_FALSE(table.total.has_value());
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].function, "operator new[]");
  EXPECT_EQ(table.rows[1].function, "(anonymous namespace)::f");
  EXPECT_EQ(table.rows[1].flat, 512.5);
}

TEST(PprofText, EmptyDiffHasNoTotalAndNoRows) {
  const PprofTable table = parse_pprof_text("Using local file a.\nUsing local file b.\n");
  EXPECT_FALSE(table.total.has_value());
  EXPECT_TRUE(table.rows.empty());
}

TEST(HeapGrowthSites, JoinsBytesAndObjectsAndKeepsOnlyGrowth) {
  const auto sites = heap_growth_sites(parse_pprof_text(kBytes), parse_pprof_text(kObjects), 10);
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0].function, "tracker::leak_per_request");
  EXPECT_EQ(sites[0].bytes, 40 * 65536);
  EXPECT_EQ(sites[0].objects, 40);
  EXPECT_EQ(sites[1].function, "std::vector::_M_realloc_insert");
  EXPECT_EQ(sites[1].objects, 1);
  EXPECT_EQ(heap_growth_sites(parse_pprof_text(kBytes), {}, 1).size(), 1u);
}

TEST(ProjectSite, SkipsThePreloadLibrarysHooks) {
  const std::vector<std::string> frames = {
      "leakgate::ResourceKind::on_create() (harness/src/accounting/registry.cpp:95)",
      "leakgate_fd_opened (" LEAKGATE_SOURCE_DIR "/harness/src/preload/fd_records.cpp:150)",
      "open (" LEAKGATE_SOURCE_DIR "/harness/src/preload/fd_hooks.c:62)",
      "open_request_log (" LEAKGATE_SOURCE_DIR "/harness/tests/preload/devnull_daemon.c:25)",
      "serve (" LEAKGATE_SOURCE_DIR "/harness/tests/preload/devnull_daemon.c:40)"};
  EXPECT_EQ(project_site(frames),
            "open_request_log (harness/tests/preload/devnull_daemon.c:25) <- "
            "serve (harness/tests/preload/devnull_daemon.c:40)");
}

TEST(ProjectSite, AnFdOpenedInMainIsNamedAfterMainNotTheHook) {
  const std::vector<std::string> frames = {
      "leakgate_fd_opened (" LEAKGATE_SOURCE_DIR "/harness/src/preload/fd_records.cpp:150)",
      "socket (" LEAKGATE_SOURCE_DIR "/harness/src/preload/fd_hooks.c:108)",
      "main (" LEAKGATE_SOURCE_DIR "/harness/tests/preload/devnull_daemon.c:60)",
      "__libc_start_call_main (./csu/../sysdeps/x86/libc-start.c:58)"};
  EXPECT_EQ(project_site(frames), "main (harness/tests/preload/devnull_daemon.c:60)");
}

TEST(WrapperOutputs, KnowsValgrindAndHeaptrackFiles) {
  EXPECT_TRUE(is_wrapper_output("valgrind.log"));
  EXPECT_TRUE(is_wrapper_output("heaptrack.trackerd.1234.zst"));
  EXPECT_TRUE(is_wrapper_output("massif.out.99"));
  EXPECT_FALSE(is_wrapper_output("daemon.stdout"));
  EXPECT_FALSE(is_wrapper_output("heaptrack."));
  EXPECT_FALSE(is_wrapper_output("tracker.db"));
}

}  // namespace
}  // namespace leakgate
