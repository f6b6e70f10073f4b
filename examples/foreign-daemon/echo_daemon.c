/* echo_daemon: the daemon of this example, plain C and not linked with leakgate. It answers
 * HTTP requests on the Unix socket named by argv[1] with "ok". Started with
 * --leak-fd-per-request it opens a request log for every request and never closes it: the
 * kind of bug leakgate is for. SIGTERM ends it with exit code 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop = 0;
static void on_term(int signo) { (void)signo; stop = 1; }

/* The bug. noinline, and not a tail call (the check after open()), so that it is a frame of
 * its own in the creation stack leakgate reports. */
__attribute__((noinline)) static int open_request_log(void) {
  const int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd < 0) perror("echo_daemon: open /dev/null");
  return fd;
}

int main(int argc, char** argv) {
  const int leak = argc == 3 && strcmp(argv[2], "--leak-fd-per-request") == 0;
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (argc < 2 || strlen(argv[1]) >= sizeof(address.sun_path)) {
    fprintf(stderr, "usage: echo_daemon SOCKET_PATH [--leak-fd-per-request]\n");
    return 2;
  }
  struct sigaction action = {.sa_handler = on_term}; /* no SA_RESTART: accept() sees EINTR */
  sigaction(SIGTERM, &action, NULL);
  signal(SIGPIPE, SIG_IGN);
  strcpy(address.sun_path, argv[1]);
  unlink(argv[1]);
  const int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0 || bind(listener, (struct sockaddr*)&address, sizeof(address)) != 0 ||
      listen(listener, 64) != 0) {
    perror("echo_daemon: listen");
    return 1;
  }
  /* The readiness line leakgate waits for (daemon.ready: stdout). */
  printf("{\"event\":\"ready\",\"pid\":%d,\"endpoint\":\"unix:%s\"}\n", (int)getpid(), argv[1]);
  fflush(stdout);
  while (!stop) {
    const int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (connection < 0) continue; /* EINTR on SIGTERM: the loop condition ends it */
    char request[4096];
    ssize_t used = 0, n;
    while (used < (ssize_t)sizeof(request) - 1 &&
           (n = read(connection, request + used, sizeof(request) - 1 - used)) > 0) {
      used += n;
      request[used] = '\0';
      if (strstr(request, "\r\n\r\n") != NULL) break;
    }
    if (leak) open_request_log();
    static const char answer[] = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
    if (write(connection, answer, sizeof(answer) - 1) < 0) perror("echo_daemon: write");
    close(connection);
  }
  close(listener);
  unlink(argv[1]);
  return 0;
}
