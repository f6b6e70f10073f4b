// gperftools heap profile files (HEAPPROFILE dumps, "heap profile: ... @ heapprofile") and
// pprof's "symbolized profile" format. Pure: text in, text out.
//
// Why: google-pprof symbolizes every PC of both profiles with nm/objdump/addr2line over every
// mapped library (seconds for trackerd). Handing it only the stacks that changed between the
// two dumps, already symbolized, gives the same diff in a fraction of the time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace leakgate {

using HeapStack = std::vector<uint64_t>;  // return addresses, allocation site first

struct HeapBucket {
  int64_t inuse_objects = 0;
  int64_t inuse_bytes = 0;
  int64_t alloc_objects = 0;
  int64_t alloc_bytes = 0;
  HeapStack stack;
};

// An executable mapping from the MAPPED_LIBRARIES section (/proc/PID/maps lines).
struct CodeMapping {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t offset = 0;  // file offset of `start`
  std::string path;
};

struct HeapProfileFile {
  std::string header;  // "heap profile: ... @ heapprofile" (the first line)
  std::vector<HeapBucket> buckets;
  std::vector<CodeMapping> code;  // executable, file-backed mappings only
};

// nullopt when the text is not a gperftools heap profile.
std::optional<HeapProfileFile> parse_heap_profile(std::string_view text);

// Stacks whose in-use objects or bytes differ between the two profiles.
std::set<HeapStack> changed_stacks(const HeapProfileFile& base, const HeapProfileFile& final);

// Every address in `stacks`, minus one: a return address minus one lies in the call
// instruction, so it symbolizes to the calling line (pprof does the same).
std::set<uint64_t> call_addresses(const std::set<HeapStack>& stacks);

// "0x55836ff37792": addresses as pprof and addr2line read them.
std::string hex_address(uint64_t address);

// The mapping that holds `address`, or nullptr.
const CodeMapping* mapping_of(const std::vector<CodeMapping>& code, uint64_t address);

// pprof's symbolized heap profile: a "--- symbol" section (`symbols` keys are call
// addresses, values "outer--inlined--innermost" function names) ending in "---", then the
// heap profile with only the buckets whose stack is in `keep`, addresses minus one. Read by
// `google-pprof --text [--base=OTHER] FILE` without a binary argument and without nm.
std::string symbolized_heap_profile(const HeapProfileFile& profile, const std::set<HeapStack>& keep,
                                    const std::map<uint64_t, std::string>& symbols,
                                    const std::string& binary);

}  // namespace leakgate
