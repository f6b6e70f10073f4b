/* fd_churn: the awkward cases for libleakgate_preload.so, in a plain C process (not linked
 * with leakgate); preload_test.cpp checks the counter file it leaves. Prints one line
 *   {"owner_marked":1,"child":0}
 * (its helpers inherit LEAKGATE_PRELOAD_PID naming this process, so the library they load
 * stays out of the way; a forked child exited 0) and
 * waits for SIGTERM. Expected live fds in the counter file: 2 of 8 created. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int g_closed_by_handler = -1;

/* close() from a signal handler: must neither deadlock nor allocate. */
static void close_in_handler(int signo) {
  (void)signo;
  close(g_closed_by_handler);
}

static int open_null(void) { return open("/dev/null", O_RDONLY | O_CLOEXEC); }

int main(void) {
  int fds[3];
  for (int i = 0; i < 3; ++i) fds[i] = open_null(); /* created 3, live 3 */
  g_closed_by_handler = fds[0];
  signal(SIGUSR1, close_in_handler);
  raise(SIGUSR1);       /* live 2 */
  dup2(fds[1], fds[2]); /* replaces fds[2]: created 4, live 2 */
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return 1; /* created 6, live 4 */
  dup2(pipe_fds[0], 100);            /* created 7, live 5 */
  dup2(pipe_fds[1], 101);            /* created 8, live 6 */
  close(pipe_fds[0]);
  close(pipe_fds[1]);       /* live 4 */
  close_range(100, 101, 0); /* live 2 */

  /* A forked child's fds are its own: none of them may reach the parent's counter file. */
  const pid_t child = fork();
  if (child == 0) {
    for (int i = 0; i < 5; ++i) open_null();
    _exit(0);
  }
  int status = 1;
  waitpid(child, &status, 0);

  /* Helpers the process spawns load the library too, but must not publish into its file: the
   * owner marker names this process (the counts below show nothing of the helper's). */
  char check[128];
  snprintf(check, sizeof check, "test \"$LEAKGATE_PRELOAD_PID\" = %d", (int)getpid());
  const int owner_marked = system(check);
  printf("{\"owner_marked\":%d,\"child\":%d}\n", owner_marked == 0,
         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  fflush(stdout);
  for (;;) pause();
}
