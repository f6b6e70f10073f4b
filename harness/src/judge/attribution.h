// Where leaked things came from: live objects grouped by creation stack (the top frame in
// project code), and the fds that are new since the baseline.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "leakgate/process_probe.h"

namespace leakgate {

// Where a counted object was made: the first frame in project code (not the accounting
// library, the standard library or libc) that is not the object's own constructor, and its
// caller: "tracker::SyncLoop::tick (tracker/src/daemon/sync_loop.cpp:83) <- ...".
// Frames are "function (file:line)" strings.
std::string project_site(const std::vector<std::string>& frames);

// Whether a project_site() ("fn (file:line) <- caller") was made exactly where `wanted` says:
// its first frame's function ("tracker::SyncLoop::tick"), its file:line
// ("tracker/src/daemon/sync_loop.cpp:83") or the whole frame; never a caller's frame.
bool site_matches(const std::string& site, const std::string& wanted);

// "ns::Type::fn(args) (/abs/src/x.cpp:3)" -> "ns::Type::fn (x.cpp:3)", paths relative to
// the source tree.
std::string short_frame(const std::string& frame);

// project_site(frames), and " in worker 4711 (nginx: worker process)" when the group came
// from a forked worker's dump (its "process", spawn/live_objects_request.h).
std::string site_in(const nlohmann::json& group, const std::vector<std::string>& frames);

// Groups of live objects of one kind from a live_objects_json document (either shape:
// {"kind":..,"groups":[..]} or {"kinds":[..]}), each with "count", "frames" and "site" (and
// "process" for a worker's, named in the site).
nlohmann::json live_groups_of(const nlohmann::json& dump, const std::string& kind);

// Heap growth by allocation site from the "heap_sites" of two live-object dumps (the preload
// library's sampled allocations: estimated "bytes" and "count" per stack): per project_site,
// final minus baseline, the sites that grew, largest first, each {"site", "bytes", "count",
// "frames"} (frames of the site's largest stack at the end). Empty unless both dumps have
// heap_sites.
nlohmann::json heap_site_growth(const nlohmann::json& baseline, const nlohmann::json& final);

// fds present in `after` but not in `before` (same number and target), as JSON objects.
nlohmann::json new_fds(const std::vector<FdInfo>& before, const std::vector<FdInfo>& after);

}  // namespace leakgate
