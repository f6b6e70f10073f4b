// Live-object dumps on request, without a signal: the preload library's own thread serves the
// channel of dump_channel_layout.h (SIGUSR2, the accounting library's way, is nginx's
// binary-upgrade signal, and many daemons use it).
#pragma once

#include <string>

namespace leakgate::preload {

// Creates "<counters_path>.dump" and starts the thread "leakgate-dump", which answers every
// request by writing Registry's live objects plus `render_extra`'s section (key `extra_key`,
// e.g. the heap sites) to "<counters_path>.live.json". False (and no thread) on failure.
// `in_area`: a forked worker's channel, which writes into a dump area mapped now
// (dump_channel_layout.h), as a worker may lose the right to create files.
bool start_dump_channel(const std::string& counters_path, const char* extra_key,
                        std::string (*render_extra)(), bool in_area = false);

}  // namespace leakgate::preload
