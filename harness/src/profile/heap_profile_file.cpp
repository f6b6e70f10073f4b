#include "profile/heap_profile_file.h"

#include <charconv>
#include <cstdio>

namespace leakgate {
namespace {

std::string_view next_line(std::string_view& text) {
  const size_t newline = text.find('\n');
  const std::string_view line = text.substr(0, newline);
  text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  return line;
}

void skip_spaces(std::string_view& text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
}

// Reads an integer (base 10 or 16) off the front of `text`, after spaces.
template <class T>
bool take_number(std::string_view& text, T& value, int base = 10) {
  skip_spaces(text);
  if (base == 16 && text.substr(0, 2) == "0x") text.remove_prefix(2);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc()) return false;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return true;
}

bool take_char(std::string_view& text, char c) {
  skip_spaces(text);
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

// "   44:  2883584 [    44:  2883584] @ 0x55836ff37793 0x55836ff3ad56"
std::optional<HeapBucket> parse_bucket(std::string_view line) {
  HeapBucket bucket;
  if (!take_number(line, bucket.inuse_objects) || !take_char(line, ':') ||
      !take_number(line, bucket.inuse_bytes) || !take_char(line, '[') ||
      !take_number(line, bucket.alloc_objects) || !take_char(line, ':') ||
      !take_number(line, bucket.alloc_bytes) || !take_char(line, ']') || !take_char(line, '@')) {
    return std::nullopt;
  }
  uint64_t address = 0;
  while (take_number(line, address, 16)) bucket.stack.push_back(address);
  if (bucket.stack.empty()) return std::nullopt;
  return bucket;
}

// "55836fef7000-55836ff7c000 r-xp 0000a000 00:00 5335127     /path/trackerd"
std::optional<CodeMapping> parse_mapping(std::string_view line) {
  CodeMapping mapping;
  if (!take_number(line, mapping.start, 16) || !take_char(line, '-') ||
      !take_number(line, mapping.end, 16)) {
    return std::nullopt;
  }
  skip_spaces(line);
  if (line.size() < 4 || line[2] != 'x') return std::nullopt;  // not code
  line.remove_prefix(4);
  if (!take_number(line, mapping.offset, 16)) return std::nullopt;
  const size_t path = line.find('/');
  if (path == std::string_view::npos) return std::nullopt;  // anonymous, [vdso], ...
  mapping.path = std::string(line.substr(path));
  while (!mapping.path.empty() && mapping.path.back() == ' ') mapping.path.pop_back();
  return mapping;
}

}  // namespace

std::optional<HeapProfileFile> parse_heap_profile(std::string_view text) {
  HeapProfileFile profile;
  const std::string_view header = next_line(text);
  if (header.rfind("heap profile:", 0) != 0) return std::nullopt;
  profile.header = std::string(header);
  bool in_maps = false;
  while (!text.empty()) {
    const std::string_view line = next_line(text);
    if (line.rfind("MAPPED_LIBRARIES:", 0) == 0) {
      in_maps = true;
    } else if (in_maps) {
      if (auto mapping = parse_mapping(line)) profile.code.push_back(std::move(*mapping));
    } else if (auto bucket = parse_bucket(line)) {
      profile.buckets.push_back(std::move(*bucket));
    }
  }
  return profile;
}

std::set<HeapStack> changed_stacks(const HeapProfileFile& base, const HeapProfileFile& final) {
  std::map<HeapStack, std::pair<int64_t, int64_t>> net;  // objects, bytes: final - base
  for (const auto& bucket : final.buckets) {
    auto& entry = net[bucket.stack];
    entry.first += bucket.inuse_objects;
    entry.second += bucket.inuse_bytes;
  }
  for (const auto& bucket : base.buckets) {
    auto& entry = net[bucket.stack];
    entry.first -= bucket.inuse_objects;
    entry.second -= bucket.inuse_bytes;
  }
  std::set<HeapStack> changed;
  for (const auto& [stack, difference] : net) {
    if (difference.first != 0 || difference.second != 0) changed.insert(stack);
  }
  return changed;
}

std::set<uint64_t> call_addresses(const std::set<HeapStack>& stacks) {
  std::set<uint64_t> addresses;
  for (const auto& stack : stacks) {
    for (const uint64_t address : stack) {
      if (address > 0) addresses.insert(address - 1);
    }
  }
  return addresses;
}

std::string hex_address(uint64_t address) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(address));
  return text;
}

const CodeMapping* mapping_of(const std::vector<CodeMapping>& code, uint64_t address) {
  for (const auto& mapping : code) {
    if (address >= mapping.start && address < mapping.end) return &mapping;
  }
  return nullptr;
}

std::string symbolized_heap_profile(const HeapProfileFile& profile, const std::set<HeapStack>& keep,
                                    const std::map<uint64_t, std::string>& symbols,
                                    const std::string& binary) {
  std::string out = "--- symbol\nbinary=" + binary + "\n";
  for (const auto& [address, names] : symbols) out += hex_address(address) + " " + names + "\n";
  out += "---\n" + profile.header + "\n";  // the profile follows the symbols directly
  for (const auto& bucket : profile.buckets) {
    if (keep.count(bucket.stack) == 0) continue;
    out += std::to_string(bucket.inuse_objects) + ": " + std::to_string(bucket.inuse_bytes) + " [" +
           std::to_string(bucket.alloc_objects) + ": " + std::to_string(bucket.alloc_bytes) + "] @";
    for (const uint64_t address : bucket.stack)
      out += " " + hex_address(address > 0 ? address - 1 : 0);
    out += "\n";
  }
  return out;
}

}  // namespace leakgate
