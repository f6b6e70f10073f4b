#include "profile/heap_profile_file.h"

#include <gtest/gtest.h>

namespace leakgate {
namespace {

// A gperftools 2.10 HEAPPROFILE dump, trimmed: two buckets, the maps after them.
constexpr const char* kBase = R"(heap profile:      5:   262200 [    90:  1000000] @ heapprofile
     4:   262144 [     4:   262144] @ 0x55836ff37793 0x55836ff3ad56 0x7f7793dc71f5
     1:       56 [    86:   737856] @ 0x7f7794348504 0x55836ff00986

MAPPED_LIBRARIES:
55836feed000-55836fef7000 r--p 00000000 00:00 5335127     /build/tracker/trackerd
55836fef7000-55836ff7c000 r-xp 0000a000 00:00 5335127     /build/tracker/trackerd
558375149000-558375d4a000 rw-p 00000000 00:00 0           [heap]
7f7793d3b000-7f7793e90000 r-xp 00026000 08:01 1234        /usr/lib/x86_64-linux-gnu/libc.so.6
7f77942c0000-7f77943a0000 r-xp 00040000 08:01 5678        /usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6
7ffd1e1f0000-7ffd1e1f2000 r-xp 00000000 00:00 0           [vdso]
)";

constexpr const char* kFinal = R"(heap profile:     45:  2883640 [   130:  3000000] @ heapprofile
    44:  2883584 [    44:  2883584] @ 0x55836ff37793 0x55836ff3ad56 0x7f7793dc71f5
     1:       56 [   126:  1200000] @ 0x7f7794348504 0x55836ff00986
     1:       32 [     1:       32] @ 0x7f7794348504 0x55836ff00aaa

MAPPED_LIBRARIES:
55836fef7000-55836ff7c000 r-xp 0000a000 00:00 5335127     /build/tracker/trackerd
)";

TEST(HeapProfileFile, ReadsBucketsAndOnlyFileBackedCodeMappings) {
  const auto profile = parse_heap_profile(kBase);
  ASSERT_TRUE(profile.has_value());
  EXPECT_EQ(profile->header, "heap profile:      5:   262200 [    90:  1000000] @ heapprofile");
  ASSERT_EQ(profile->buckets.size(), 2u);
  EXPECT_EQ(profile->buckets[0].inuse_objects, 4);
  EXPECT_EQ(profile->buckets[0].inuse_bytes, 262144);
  EXPECT_EQ(profile->buckets[1].alloc_bytes, 737856);
  EXPECT_EQ(profile->buckets[0].stack, (HeapStack{0x55836ff37793, 0x55836ff3ad56, 0x7f7793dc71f5}));
  ASSERT_EQ(profile->code.size(), 3u);
  EXPECT_EQ(profile->code[0].path, "/build/tracker/trackerd");
  EXPECT_EQ(profile->code[0].start, 0x55836fef7000u);
  EXPECT_EQ(profile->code[0].offset, 0xa000u);
  EXPECT_EQ(profile->code[2].path, "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6");
  EXPECT_EQ(mapping_of(profile->code, 0x7f7794348503), &profile->code[2]);
  EXPECT_EQ(mapping_of(profile->code, 0x1000), nullptr);
}

TEST(HeapProfileFile, RejectsWhatIsNotAHeapProfile) {
  EXPECT_FALSE(parse_heap_profile("--- symbol\nbinary=x\n").has_value());
  EXPECT_FALSE(parse_heap_profile("").has_value());
}

TEST(HeapProfileFile, ChangedStacksAreThoseWhoseInUseFiguresDiffer) {
  const auto base = parse_heap_profile(kBase);
  const auto final = parse_heap_profile(kFinal);
  ASSERT_TRUE(base && final);
  // The second stack allocated more but holds the same in use: unchanged.
  const auto changed = changed_stacks(*base, *final);
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_TRUE(changed.count({0x55836ff37793, 0x55836ff3ad56, 0x7f7793dc71f5}));
  EXPECT_TRUE(changed.count({0x7f7794348504, 0x55836ff00aaa}));
  EXPECT_EQ(call_addresses(changed),
            (std::set<uint64_t>{0x55836ff37792, 0x55836ff3ad55, 0x7f7793dc71f4, 0x7f7794348503,
                                0x55836ff00aa9}));
  EXPECT_TRUE(changed_stacks(*base, *base).empty());
}

TEST(HeapProfileFile, SymbolizedProfileHasSymbolsThenTheKeptBucketsAtCallAddresses) {
  const auto final = parse_heap_profile(kFinal);
  ASSERT_TRUE(final);
  const std::set<HeapStack> keep = {{0x55836ff37793, 0x55836ff3ad56, 0x7f7793dc71f5}};
  const std::map<uint64_t, std::string> symbols = {
      {0x55836ff37792, "tracker::leak_per_request(tracker::FaultSet const&)"},
      {0x55836ff3ad55, "tracker::serve()--tracker::inlined()"}};
  EXPECT_EQ(symbolized_heap_profile(*final, keep, symbols, "/build/tracker/trackerd"),
            "--- symbol\n"
            "binary=/build/tracker/trackerd\n"
            "0x55836ff37792 tracker::leak_per_request(tracker::FaultSet const&)\n"
            "0x55836ff3ad55 tracker::serve()--tracker::inlined()\n"
            "---\n"
            "heap profile:     45:  2883640 [   130:  3000000] @ heapprofile\n"
            "44: 2883584 [44: 2883584] @ 0x55836ff37792 0x55836ff3ad55 0x7f7793dc71f4\n");
}

}  // namespace
}  // namespace leakgate
