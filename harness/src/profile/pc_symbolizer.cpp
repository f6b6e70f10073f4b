#include "profile/pc_symbolizer.h"

#include <fstream>
#include <sstream>

#include "leakgate/creation_stack.h"
#include "profile/helper_commands.h"

namespace leakgate {
namespace {

// "--" separates inlined functions in pprof's symbol lines: keep it out of the names.
std::string without_double_dash(std::string name) {
  for (size_t at = name.find("--"); at != std::string::npos; at = name.find("--", at)) {
    name.replace(at, 2, "- -");
  }
  return name;
}

struct ModuleQuery {
  std::vector<uint64_t> addresses;  // in the process
  std::vector<std::string> args;    // addr2line arguments: module-relative addresses
  std::filesystem::path out;
  pid_t pid = -1;
};

}  // namespace

std::map<uint64_t, std::string> symbolize_addresses(const std::set<uint64_t>& addresses,
                                                    const std::vector<CodeMapping>& code,
                                                    const std::set<std::string>& modules_to_name,
                                                    const std::filesystem::path& scratch_dir) {
  std::map<uint64_t, std::string> names;
  std::map<std::string, ModuleQuery> modules;
  for (const uint64_t address : addresses) {
    const CodeMapping* mapping = mapping_of(code, address);
    if (mapping == nullptr) continue;
    // addr2line wants the ELF address: the segment's virtual address equals its file
    // offset for the executables and libraries ld produces.
    const uint64_t relative = address - mapping->start + mapping->offset;
    names[address] =
        std::filesystem::path(mapping->path).filename().string() + "+" + hex_address(relative);
    if (modules_to_name.count(mapping->path) == 0) continue;
    ModuleQuery& query = modules[mapping->path];
    query.addresses.push_back(address);
    query.args.push_back(hex_address(relative));
  }
  int index = 0;
  for (auto& [module, query] : modules) {
    std::vector<std::string> argv = {"addr2line", "-a", "-f", "-i", "-C", "-e", module};
    argv.insert(argv.end(), query.args.begin(), query.args.end());
    query.out = scratch_dir / ("addr2line." + std::to_string(index++) + ".txt");
    query.pid = start_helper(argv, query.out);
  }
  for (auto& [module, query] : modules) {
    if (!wait_helpers({query.pid}, std::chrono::seconds(60))) continue;
    std::ifstream in(query.out);
    std::stringstream text;
    text << in.rdbuf();
    const auto records = detail::parse_addr2line_output(text.str());
    for (size_t i = 0; i < records.size() && i < query.addresses.size(); ++i) {
      // addr2line lists the innermost inlined function first; pprof wants callers first.
      std::string joined;
      for (auto it = records[i].rbegin(); it != records[i].rend(); ++it) {
        if (it->function.empty()) continue;
        joined += (joined.empty() ? "" : "--") + without_double_dash(it->function);
      }
      if (!joined.empty()) names[query.addresses[i]] = joined;
    }
  }
  return names;
}

}  // namespace leakgate
