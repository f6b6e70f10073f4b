// A forked worker's live-object dump merged into the daemon's (spawn/live_objects_request.h)
// and read by the attribution (judge/attribution.h): its sites name the worker.
#include <gtest/gtest.h>

#include "judge/attribution.h"
#include "spawn/live_objects_request.h"

namespace leakgate {
namespace {

nlohmann::json dump_with_fds(int count, const std::string& function, int heap_bytes) {
  return {{"stacks", true},
          {"kinds", {{{"kind", "fds"},
                      {"groups", {{{"count", count},
                                   {"frames", {function + " (/src/d.c:7)", "main (/src/d.c:40)"}}}}}}}},
          {"heap_sites", {{{"bytes", heap_bytes},
                           {"count", heap_bytes / 16},
                           {"frames", {function + " (/src/d.c:9)"}}}}}};
}

TEST(WorkerDumps, LabelNamesPidAndCommandLine) {
  EXPECT_EQ(worker_label(4711, "nginx: worker process"), "worker 4711 (nginx: worker process)");
}

TEST(WorkerDumps, WorkerGroupsNameTheWorkerAndRootGroupsDoNot) {
  nlohmann::json merged = dump_with_fds(1, "open_listener", 64);
  merge_worker_dump(merged, dump_with_fds(40, "accept_client", 640), worker_label(4711, "w"));
  const auto groups = live_groups_of(merged, "fds");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0]["site"], project_site({"open_listener (/src/d.c:7)", "main (/src/d.c:40)"}));
  EXPECT_FALSE(groups[0].contains("process"));
  EXPECT_EQ(groups[1]["count"], 40);
  EXPECT_EQ(groups[1]["site"],
            project_site({"accept_client (/src/d.c:7)", "main (/src/d.c:40)"}) +
                " in worker 4711 (w)");
  EXPECT_EQ(groups[1]["process"], "worker 4711 (w)");
}

TEST(WorkerDumps, AKindOnlyTheWorkerHasIsAdded) {
  nlohmann::json merged = {{"kinds", nlohmann::json::array()}};
  merge_worker_dump(merged, dump_with_fds(3, "f", 0), "worker 9 (x)");
  EXPECT_EQ(live_groups_of(merged, "fds").size(), 1u);
}

TEST(WorkerDumps, AWorkerAloneAnswersIntoAnEmptyDump) {
  nlohmann::json merged = nullptr;  // the daemon itself gave no dump
  merge_worker_dump(merged, dump_with_fds(2, "f", 0), "worker 9 (x)");
  ASSERT_EQ(live_groups_of(merged, "fds").size(), 1u);
  EXPECT_EQ(live_groups_of(merged, "fds")[0]["count"], 2);
}

TEST(WorkerDumps, NoAnswerAddsNothing) {
  nlohmann::json merged = dump_with_fds(1, "f", 0);
  const nlohmann::json before = merged;
  merge_worker_dump(merged, nullptr, "worker 9 (x)");
  EXPECT_EQ(merged, before);
}

TEST(WorkerDumps, HeapGrowthIsPerProcess) {
  // The same site in master and worker: only the worker's grew, and the line says where.
  nlohmann::json baseline = dump_with_fds(1, "alloc_request", 1000);
  merge_worker_dump(baseline, dump_with_fds(1, "alloc_request", 1000), "worker 7 (w)");
  nlohmann::json final = dump_with_fds(1, "alloc_request", 1000);
  merge_worker_dump(final, dump_with_fds(1, "alloc_request", 9000), "worker 7 (w)");
  const auto growth = heap_site_growth(baseline, final);
  ASSERT_EQ(growth.size(), 1u);
  EXPECT_EQ(growth[0]["bytes"], 8000);
  EXPECT_EQ(growth[0]["site"], project_site({"alloc_request (/src/d.c:9)"}) + " in worker 7 (w)");
}

}  // namespace
}  // namespace leakgate
