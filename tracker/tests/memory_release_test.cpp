// release_free_memory against this process's real allocator and its real RSS.
#include "memory_release.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "../../harness/tests/support/under_asan.h"

namespace tracker {
namespace {

int64_t rss_bytes() {
  long pages = 0;
  if (FILE* statm = std::fopen("/proc/self/statm", "re")) {
    if (std::fscanf(statm, "%*d %ld", &pages) != 1) pages = 0;
    std::fclose(statm);
  }
  return static_cast<int64_t>(pages) * ::sysconf(_SC_PAGESIZE);
}

constexpr size_t kBlock = 1024;        // small: from the heap, not a mmap of its own
constexpr size_t kBlocks = 48 * 1024;  // 48 MiB in all

TEST(MemoryRelease, FreedSmallBlocksGoBackToTheOs) {
#if LEAKGATE_UNDER_ASAN
  GTEST_SKIP() << "AddressSanitizer's allocator keeps freed memory in quarantine";
#endif
  std::vector<std::unique_ptr<char[]>> blocks;
  blocks.reserve(kBlocks);
  for (size_t i = 0; i < kBlocks; ++i) {
    blocks.emplace_back(new char[kBlock]);
    std::memset(blocks.back().get(), 1, kBlock);  // touched: resident
  }
  // One block allocated last stays live, so the heap cannot simply shrink from its top: only
  // an explicit release returns the free pages below it.
  auto pin = std::make_unique<char[]>(kBlock);
  std::memset(pin.get(), 1, kBlock);
  blocks.clear();
  blocks.shrink_to_fit();
  const int64_t before = rss_bytes();
  release_free_memory();
  const int64_t after = rss_bytes();
  EXPECT_GT(before - after, int64_t{24} << 20)
      << "RSS " << (before >> 20) << " MiB -> " << (after >> 20) << " MiB";
}

TEST(MemoryRelease, BelowTheThresholdNothingIsReleased) {
  // Cheap by design: with less than the threshold free, a call is a property read. It must
  // also be safe to call at any time, repeatedly.
  for (int i = 0; i < 1000; ++i) release_free_memory();
  release_free_memory(0);
  SUCCEED();
}

}  // namespace
}  // namespace tracker
