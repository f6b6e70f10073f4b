// The sampler's sources by the names result.json and the unread reasons give them.
#pragma once

#include <string>

namespace leakgate {

inline const std::string kProcSource = "/proc";
inline const std::string kCounterFileSource = "counter file";
inline const std::string kPreloadHeapSource = "preload heap";
inline const std::string kPreloadFdsSource = "preload fds";
inline const std::string kScrapeSource = "prometheus scrape ";
inline const std::string kCgroupSource = "cgroup";  // the daemon's per-test cgroup

}  // namespace leakgate
