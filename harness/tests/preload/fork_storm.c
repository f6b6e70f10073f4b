/* fork_storm: a multi-threaded process that forks while its own thread opens fds. Under the
 * preload library (creation stacks on) the opening thread holds the registry's lock for a moment
 * on every open; a fork in that moment once left the child's copy locked, and the child, which
 * opens a file as a forked worker does, hung. Exit 0 when every child exited within 10 s, 1
 * (after killing the rest) otherwise.
 *   fork_storm [CHILDREN (default 200)] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static atomic_int g_stop;

static void* churn(void* arg) {
  (void)arg;
  while (!atomic_load(&g_stop)) {
    const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) close(fd);
  }
  return NULL;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  const int children = argc > 1 ? atoi(argv[1]) : 200;
  pthread_t thread;
  if (pthread_create(&thread, NULL, churn, NULL) != 0) return 2;
  pid_t* pids = calloc((size_t)children, sizeof(pid_t));
  for (int i = 0; i < children; ++i) {
    pids[i] = fork();
    if (pids[i] == 0) { /* a worker: opens as the parent's thread does, then ends */
      for (int j = 0; j < 3; ++j) {
        const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) close(fd);
      }
      _exit(0);
    }
  }
  atomic_store(&g_stop, 1);
  pthread_join(thread, NULL);
  int hung = 0;
  const double deadline = now_s() + 10;
  for (int i = 0; i < children; ++i) {
    if (pids[i] <= 0) continue;
    while (waitpid(pids[i], NULL, WNOHANG) == 0) {
      if (now_s() > deadline) {
        kill(pids[i], SIGKILL);
        waitpid(pids[i], NULL, 0);
        ++hung;
        break;
      }
      usleep(1000);
    }
  }
  free(pids);
  if (hung > 0) fprintf(stderr, "fork_storm: %d of %d children hung\n", hung, children);
  return hung > 0 ? 1 : 0;
}
