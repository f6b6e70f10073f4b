#include "sample/process_tree.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "leakgate/unique_fd.h"

namespace leakgate {

void name_by_command_line(std::vector<TreeProcessFigures>& figures) {
  for (TreeProcessFigures& process : figures) {
    const std::string path = "/proc/" + std::to_string(process.pid) + "/cmdline";
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    char buf[512];
    const ssize_t n = fd ? ::read(fd.get(), buf, sizeof buf) : -1;
    if (n <= 0) continue;
    const std::string line = join_cmdline(std::string_view(buf, static_cast<size_t>(n)));
    if (!line.empty()) process.name = line;
  }
}

std::vector<TreeMember> live_members(std::vector<TreeMember> members) {
  std::erase_if(members, [](const TreeMember& member) { return member.zombie; });
  if (members.size() > kMaxSummedWorkers) members.resize(kMaxSummedWorkers);
  return members;
}

std::vector<TreeProcessFigures> add_workers(ProcessSample& total, pid_t root,
                                            const std::vector<TreeMember>& workers,
                                            const ProcessProbe::Options& options) {
  std::vector<TreeProcessFigures> figures;
  figures.push_back(
      TreeProcessFigures{root, -1, {}, "root", total.fds, total.rss_bytes, total.threads});
  ProcessProbe::Options each = options;
  each.children = false;  // daemon.children is the tracker's count of the whole tree
  each.pss = false;
  for (const TreeMember& worker : workers) {
    std::optional<ProcessSample> sample;
    try {
      // A probe for this sample only: kept-open probes would count in the harness's own fds.
      sample = ProcessProbe(worker.pid).sample(each);
    } catch (const ProbeError&) {
      continue;  // exited since the scan: the next scan drops it
    }
    if (!sample || sample->rss_bytes == 0) continue;  // exiting, not reaped yet
    total.fds += sample->fds;
    total.rss_bytes += sample->rss_bytes;
    total.threads += sample->threads;
    if (total.fds_by_type && sample->fds_by_type) {
      FdCounts& sum = *total.fds_by_type;
      const FdCounts& part = *sample->fds_by_type;
      sum.total += part.total;
      sum.socket += part.socket;
      sum.pipe += part.pipe;
      sum.file += part.file;
      sum.anon += part.anon;
      sum.other += part.other;
    }
    figures.push_back(TreeProcessFigures{worker.pid, worker.parent, worker.name, "worker",
                                         sample->fds, sample->rss_bytes, sample->threads});
  }
  return figures;
}

}  // namespace leakgate
