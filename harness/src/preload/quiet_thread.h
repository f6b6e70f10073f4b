// A detached helper thread inside a foreign daemon that takes none of the daemon's signals.
#pragma once

#include <pthread.h>
#include <signal.h>

namespace leakgate::preload {

// Runs body(arg) on a detached thread named `name`, started with every signal blocked: the
// daemon's signals are not ours to take (sigwait loops, SIGTERM handlers). It runs until the
// process exits; nothing joins it. False when the thread could not start.
inline bool start_quiet_thread(void* (*body)(void*), void* arg, const char* name) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t thread;
  const bool started = pthread_create(&thread, nullptr, body, arg) == 0;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (!started) return false;
  pthread_setname_np(thread, name);
  pthread_detach(thread);
  return true;
}

}  // namespace leakgate::preload
