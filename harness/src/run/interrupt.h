// Interrupts: a signal handler's request (one atomic) and the run's own view of it.
#pragma once

namespace leakgate {

// The signal that request_interrupt() (leakgate/runner.h) was called with, 0 while none was.
int pending_interrupt_signal() noexcept;

// Owned by one run. An interrupt abandons the run, except in a measured phase: there it ends
// the iterations once (consume()), and the run still takes its final snapshot and is judged.
class RunInterrupt {
 public:
  // Whether the run should stop where it is: an interrupt came and no measured phase took it.
  bool abandons() const noexcept { return !consumed_ && pending_interrupt_signal() != 0; }

  // Takes a pending interrupt for the measured phase: its signal, or 0 when there is none or
  // it was taken already.
  int consume() noexcept {
    if (!abandons()) return 0;
    consumed_ = true;
    return pending_interrupt_signal();
  }

 private:
  bool consumed_ = false;
};

}  // namespace leakgate
