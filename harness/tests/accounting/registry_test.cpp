#include "leakgate/registry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "leakgate/accounted.h"

namespace leakgate {
namespace {

TEST(Registry, KindIsCreatedOnceAndKeepsItsAddress) {
  ResourceKind& a = kind("registry_test.same");
  ResourceKind& b = Registry::global().kind("registry_test.same");
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(a.name(), "registry_test.same");
}

TEST(Registry, AccountedCountsLiveCreatedPeak) {
  ResourceKind& k = kind("registry_test.counts");
  {
    std::vector<Accounted> tokens;
    tokens.reserve(5);
    for (int i = 0; i < 5; ++i) tokens.emplace_back(k);
    EXPECT_EQ(k.live(), 5);
    tokens.pop_back();
    tokens.pop_back();
    EXPECT_EQ(k.live(), 3);
  }
  EXPECT_EQ(k.live(), 0);
  EXPECT_EQ(k.created(), 5);
  EXPECT_EQ(k.peak(), 5);
  EXPECT_EQ(k.released(), 5);
}

TEST(Registry, MovedFromTokenReleasesNothing) {
  ResourceKind& k = kind("registry_test.move");
  auto a = std::make_unique<Accounted>(k);
  Accounted b(std::move(*a));
  a.reset();
  EXPECT_EQ(k.live(), 1);
  Accounted c(k);
  c = std::move(b);  // c's own object is released, b's is now c's
  EXPECT_EQ(k.live(), 1);
  EXPECT_EQ(k.created(), 2);
}

TEST(Registry, ConcurrentUpdatesAreExact) {
  ResourceKind& k = kind("registry_test.concurrent");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&k] {
      for (int i = 0; i < 20000; ++i) Accounted token(k);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(k.live(), 0);
  EXPECT_EQ(k.created(), 80000);
  EXPECT_GE(k.peak(), 1);
  EXPECT_LE(k.peak(), 4);
}

TEST(Registry, SnapshotListsKindsInCreationOrder) {
  kind("registry_test.order_a");
  kind("registry_test.order_b");
  const auto snap = Registry::global().snapshot();
  int a = -1, b = -1;
  for (size_t i = 0; i < snap.size(); ++i) {
    if (snap[i].name == "registry_test.order_a") a = static_cast<int>(i);
    if (snap[i].name == "registry_test.order_b") b = static_cast<int>(i);
  }
  ASSERT_GE(a, 0);
  EXPECT_EQ(b, a + 1);
}

TEST(Registry, ForEachLiveAgreesWithTheSnapshotInOrder) {
  ResourceKind& k = kind("registry_test.for_each_live");
  Accounted held(k);
  const auto snap = Registry::global().snapshot();
  std::vector<std::pair<std::string, int64_t>> visited;
  size_t expected_index = 0;
  Registry::global().for_each_live([&](size_t index, std::string_view name, int64_t live) {
    EXPECT_EQ(index, expected_index++);
    visited.emplace_back(name, live);
  });
  ASSERT_EQ(visited.size(), snap.size());
  for (size_t i = 0; i < snap.size(); ++i) {
    EXPECT_EQ(visited[i].first, snap[i].name);
    EXPECT_EQ(visited[i].second, snap[i].live);
  }
  EXPECT_NE(std::find(visited.begin(), visited.end(),
                      std::pair<std::string, int64_t>{"registry_test.for_each_live", 1}),
            visited.end());
}

// Different bodies: identical ones would be folded into one function by -fipa-icf.
__attribute__((noinline)) Accounted make_gadget(ResourceKind& k) { return Accounted(k); }
__attribute__((noinline)) Accounted make_gizmo(ResourceKind& k) {
  Accounted token(k);
  asm volatile("" ::: "memory");
  return token;
}

TEST(Registry, LiveObjectsGroupedByCreationStack) {
  Registry& reg = Registry::global();
  reg.set_capture_stacks(true);
  ResourceKind& k = kind("registry_test.stacks");
  std::vector<Accounted> kept;
  kept.reserve(8);
  for (int i = 0; i < 3; ++i) kept.push_back(make_gadget(k));
  kept.push_back(make_gizmo(k));
  { Accounted released = make_gizmo(k); }
  reg.set_capture_stacks(false);

  const auto groups = reg.live_objects("registry_test.stacks");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].count, 3);
  EXPECT_EQ(groups[1].count, 1);
  EXPECT_FALSE(groups[0].frames.empty());

  const auto doc = nlohmann::json::parse(reg.live_objects_json("registry_test.stacks"));
  EXPECT_EQ(doc["kind"], "registry_test.stacks");
  EXPECT_EQ(doc["live"], 4);
  ASSERT_EQ(doc["groups"].size(), 2u);
  EXPECT_EQ(doc["groups"][0]["count"], 3);
  const std::string top = doc["groups"][0]["frames"][0];
  EXPECT_NE(top.find("make_gadget"), std::string::npos) << doc.dump(2);
  EXPECT_NE(top.find("registry_test.cpp"), std::string::npos) << doc.dump(2);
  const std::string gizmo = doc["groups"][1]["frames"][0];
  EXPECT_NE(gizmo.find("make_gizmo"), std::string::npos) << doc.dump(2);
}

TEST(Registry, LiveObjectsJsonForAllKinds) {
  kind("registry_test.json_all");
  const auto doc = nlohmann::json::parse(Registry::global().live_objects_json());
  ASSERT_TRUE(doc.contains("kinds"));
  bool found = false;
  for (const auto& k : doc["kinds"]) found = found || k["kind"] == "registry_test.json_all";
  EXPECT_TRUE(found);
}

TEST(Registry, LiveObjectsJsonForUnknownKindIsEmpty) {
  const auto doc = nlohmann::json::parse(Registry::global().live_objects_json("no.such.kind"));
  EXPECT_EQ(doc["live"], 0);
  EXPECT_TRUE(doc["groups"].empty());
}

}  // namespace
}  // namespace leakgate
