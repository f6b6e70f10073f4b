// The accounting side of libleakgate_preload.so: every fd the daemon opens is a live object
// of the kind "fds" (with its creation stack when LEAKGATE_STACKS is on) until it is closed.
#pragma once

#include <cstdint>

namespace leakgate::preload {

// Starts recording: the per-fd table, the kind "fds", the release drainer thread. fds opened
// by code in [self_begin, self_end) (this library: the counter publisher, the symbolizer) are
// not the daemon's and are skipped. False when the table could not be mapped.
bool start_fd_records(uintptr_t self_begin, uintptr_t self_end);

// In a forked child: the drainer thread is gone and the counter file is the parent's.
void stop_fd_records();
// In a forked worker (fork()'s child handler): a drainer of its own; false (and records off)
// when records were off or the thread could not start.
bool restart_fd_records_in_child();

}  // namespace leakgate::preload
