// What this library's own threads hold while they take the registry's locks (draining fd
// releases, rendering a dump), and fork()'s prepare handler too: a forked worker's copy of
// the registry and the sample table is never caught in the middle of an update.
#pragma once

#include <pthread.h>

namespace leakgate::preload {

inline pthread_mutex_t& fork_guard() {
  static pthread_mutex_t guard = PTHREAD_MUTEX_INITIALIZER;
  return guard;
}

// Holds fork_guard() for a scope.
class ForkGuardLock {
 public:
  ForkGuardLock() { pthread_mutex_lock(&fork_guard()); }
  ~ForkGuardLock() { pthread_mutex_unlock(&fork_guard()); }
  ForkGuardLock(const ForkGuardLock&) = delete;
  ForkGuardLock& operator=(const ForkGuardLock&) = delete;
};

}  // namespace leakgate::preload
