#include "leakgate/heap_stats.h"

#include <gtest/gtest.h>

#include <memory>

#if LEAKGATE_TEST_TCMALLOC
#include <gperftools/malloc_extension_c.h>
#endif

namespace leakgate {
namespace {

#if LEAKGATE_TEST_TCMALLOC
TEST(HeapStats, TracksTcmallocAllocatedBytes) {
  size_t direct = 0;
  ASSERT_TRUE(MallocExtension_GetNumericProperty("generic.current_allocated_bytes", &direct));
  const auto before = current_heap_bytes();
  ASSERT_TRUE(before.has_value());
  auto block = std::make_unique<char[]>(8 << 20);
  block[0] = 1;
  const auto after = current_heap_bytes();
  ASSERT_TRUE(after.has_value());
  EXPECT_GE(*after - *before, 8 << 20);
  EXPECT_TRUE(tcmalloc_property("generic.heap_size").has_value());
  EXPECT_FALSE(tcmalloc_property("no.such.property").has_value());
}
#else
TEST(HeapStats, AbsentWithoutTcmalloc) {
  EXPECT_FALSE(current_heap_bytes().has_value());
  EXPECT_FALSE(tcmalloc_property("generic.heap_size").has_value());
}
#endif

}  // namespace
}  // namespace leakgate
