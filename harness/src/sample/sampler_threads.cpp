// The sampler's two threads: an idle-priority one that ticks, and a normal one that takes the
// turn while the idle one is starved (sample/sampler_priority.h).
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "sample/sampler.h"

namespace leakgate {

void Sampler::start() {
  if (sample_hz_ <= 0 || idle_thread_.joinable()) return;
  if (!stop_event_) stop_event_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  uint64_t drained = 0;
  while (::read(stop_event_.get(), &drained, sizeof drained) > 0) {
  }
  stopping_ = false;
  const auto now = Clock::now();
  next_tick_ns_ = now.time_since_epoch().count();
  turn_ = SamplerPriority::Level::kIdle;
  priority_.emplace(period(), now);
  idle_thread_ = std::thread([this] { run_idle(); });
  normal_thread_ = std::thread([this] { run_normal(); });
}

void Sampler::stop() {
  stopping_ = true;
  const uint64_t one = 1;
  if (stop_event_) (void)!::write(stop_event_.get(), &one, sizeof one);
  if (idle_thread_.joinable()) idle_thread_.join();
  if (normal_thread_.joinable()) normal_thread_.join();
}

Sampler::Clock::duration Sampler::period() const {
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / sample_hz_));
}

Sampler::Clock::time_point Sampler::next_tick() const {
  return Clock::time_point(Clock::duration(next_tick_ns_.load()));
}

// Sleeps until `deadline` or stop(); false once stopping. A poll on the stop eventfd, not a
// condition variable: the two threads share no lock a starved idle thread could hold.
bool Sampler::sleep_until(Clock::time_point deadline) const {
  pollfd stop_fd{stop_event_.get(), POLLIN, 0};
  for (;;) {
    if (stopping_) return false;
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return true;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec timeout{static_cast<time_t>(ns / 1000000000),
                           static_cast<long>(ns % 1000000000)};
    ::ppoll(&stop_fd, stop_fd.fd >= 0 ? 1 : 0, &timeout, nullptr);
  }
}

// One tick of the thread whose turn it is: moves the deadline on and records a sample.
void Sampler::tick(Clock::time_point now, Clock::time_point due, double& max_late_s) {
  max_late_s = std::max(max_late_s, std::chrono::duration<double>(now - due).count());
  auto next = due + period();
  if (next <= now) next = now + period();  // fell behind: skip, no burst
  next_tick_ns_ = next.time_since_epoch().count();
  {
    std::lock_guard lock(mutex_);
    record(false, false);
  }
  thread_ticks_.fetch_add(1, std::memory_order_relaxed);
}

// The idle thread ticks whenever the turn is its own; it never decides the turn.
void Sampler::run_idle() {
  sched_param param{};
  // Where this is refused, the thread stays normal: the cost is back, no sample is lost.
  (void)::sched_setscheduler(0, SCHED_IDLE, &param);
  double max_late_s = 0;
  for (;;) {
    const auto due = next_tick();
    const auto now = Clock::now();
    if (turn_ != SamplerPriority::Level::kIdle) {  // look again at the tick rate
      if (!sleep_until(std::max(due, now + period()))) break;
      continue;
    }
    if (now < due) {
      if (!sleep_until(due)) break;
      continue;
    }
    tick(now, due, max_late_s);
  }
  finish_thread(max_late_s);
}

// The normal thread keeps the turn: while the idle thread has it, it looks every
// watch_period() whether its tick is overdue and takes over; while it has the turn itself, it
// ticks until SamplerPriority gives the turn back.
void Sampler::run_normal() {
  double max_late_s = 0;
  for (;;) {
    const auto due = next_tick();
    const auto now = Clock::now();
    if (turn_ == SamplerPriority::Level::kIdle) {
      if (priority_->on_tick(now, now - due) == SamplerPriority::Level::kNormal) {
        turn_ = SamplerPriority::Level::kNormal;
        continue;
      }
      if (!sleep_until(now + priority_->watch_period())) break;
      continue;
    }
    if (now < due) {
      if (!sleep_until(due)) break;
      continue;
    }
    if (priority_->on_tick(now, now - due) == SamplerPriority::Level::kIdle) {
      turn_ = SamplerPriority::Level::kIdle;
      continue;
    }
    tick(now, due, max_late_s);
    normal_ticks_.fetch_add(1, std::memory_order_relaxed);
  }
  finish_thread(max_late_s);
}

void Sampler::finish_thread(double max_late_s) {
  timespec cpu{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0) {
    thread_cpu_s_.fetch_add(static_cast<double>(cpu.tv_sec) +
                            static_cast<double>(cpu.tv_nsec) * 1e-9);
  }
  double seen = max_late_s_.load();
  while (seen < max_late_s && !max_late_s_.compare_exchange_weak(seen, max_late_s)) {
  }
}

}  // namespace leakgate
