// Before a snapshot: settling (the integer figures stop changing) and the confirmation window
// whose floors are the snapshot (sample/floor_window.h). Shared by the baseline and the final.
#pragma once

#include <functional>

#include "leakgate/daemon_process.h"
#include "leakgate/scenario.h"
#include "sample/floor_window.h"
#include "sample/sampler.h"

namespace leakgate {

// Asked between polls: true abandons the wait (an interrupt); the caller then drops its result.
using StopRequested = std::function<bool()>;

// Whether the integer figures of `a` and `b` agree (figures only one of them has are ignored).
bool same_settle_figures(const Frame& a, const Frame& b);

// Polls until the integer figures are unchanged for spec.window, or spec.timeout passes;
// false on the timeout, when the daemon exited or when a stop was requested. `settled`, when given, gets the last poll.
bool settle(Sampler& sampler, const SettleSpec& spec, DaemonProcess& daemon,
            const StopRequested& stop_requested, Frame* settled = nullptr);

// The confirmation window: classified samples with the daemon's fd list, every 20 ms, for at
// least max(spec.window, 200 ms) and two of the daemon's periods (spec.period, else the gap
// between two rises the window saw), at most spec.confirm_max. It lasts to that bound when
// something came and went and no period is known yet, and when its floors are above
// `reference` (the baseline's, for the final): growth is confirmed over the whole bound.
// An empty report when a stop was requested.
// Its floors are the snapshot: with a `reference` (the final) each figure's minimum and the
// fds open in every sample, without (the baseline) the median and the fds open in most.
FloorReport confirm_floors(Sampler& sampler, const SettleSpec& spec, DaemonProcess& daemon,
                           const StopRequested& stop_requested,
                           const Frame* reference = nullptr);

// The window's length and why, for a note: "floors over 2.1 s (22 samples; 2 periods of
// 1.0 s, learnt)".
std::string describe_window(const FloorReport& report);

// Lines for what came and went in a window ("<path> open in 3 of 10 samples"), at most
// `most` of them and a count of the rest.
std::vector<std::string> describe_transients(const FloorReport& report, size_t most = 3);

}  // namespace leakgate
