#include "run/interrupt.h"

#include <signal.h>

#include <atomic>

#include "leakgate/runner.h"

namespace leakgate {
namespace {

// The only state a signal handler touches: lock-free, so async-signal-safe.
std::atomic<int> g_interrupt_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

}  // namespace

void request_interrupt(int signo) noexcept {
  g_interrupt_signal.store(signo != 0 ? signo : SIGINT);
}

bool interrupt_requested() noexcept { return g_interrupt_signal.load() != 0; }

int pending_interrupt_signal() noexcept { return g_interrupt_signal.load(); }

}  // namespace leakgate
