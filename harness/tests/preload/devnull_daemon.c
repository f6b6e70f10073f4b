/* devnull_daemon: a foreign daemon for the preload tests, deliberately not linked with
 * leakgate. It listens on the Unix socket named by argv[1], prints the readiness line, and
 * answers every request with "HTTP/1.0 200 OK" -- after opening /dev/null for a request log
 * in open_request_log() and never closing it: one leaked fd per request (GET /health only
 * answers). SIGTERM ends it with exit code 0.
 * `--worker` serves in a forked worker that does not exec (a pre-forking server's shape): the
 * master only waits for SIGTERM, then stops the worker. `--clean` closes the log (the twin).
 * `--heap` also keeps a 16 KiB copy of every request in keep_request() (a heap leak). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop = 0;
static int g_clean = 0; /* --clean: the request log is closed */
static int g_heap = 0;  /* --heap: every request also leaks 16 KiB */

static void on_term(int signo) {
  (void)signo;
  g_stop = 1;
}

/* The leak. noinline, and not a tail call, so it is a frame of its own in creation stacks. */
__attribute__((noinline)) static int open_request_log(void) {
  const int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd < 0) perror("devnull_daemon: open /dev/null");
  return fd;
}

/* The heap leak: a copy of the request, kept forever. */
__attribute__((noinline)) static void* keep_request(const char* request) {
  static void* kept = NULL; /* a list, so that the blocks stay reachable and live */
  void** block = malloc(16 * 1024);
  if (block == NULL) return NULL;
  block[0] = kept;
  strncpy((char*)(block + 1), request, 16 * 1024 - sizeof(void*) - 1);
  kept = block;
  return block;
}

static void serve(int connection) {
  char request[4096] = "";
  size_t used = 0;
  /* Read the request head; the body (if any) is not needed for the answer. */
  while (used < sizeof(request) - 1) {
    const ssize_t n = read(connection, request + used, sizeof(request) - 1 - used);
    if (n <= 0) break;
    used += (size_t)n;
    request[used] = '\0';
    if (strstr(request, "\r\n\r\n") != NULL) break;
  }
  if (strncmp(request, "GET /health", 11) != 0) { /* /health does not leak */
    const int log = open_request_log();
    if (g_clean && log >= 0) close(log);
    if (g_heap) keep_request(request);
  }
  static const char kAnswer[] =
      "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
      "Connection: close\r\n\r\nok\n";
  if (write(connection, kAnswer, sizeof(kAnswer) - 1) < 0) perror("devnull_daemon: write");
  close(connection);
}

static int serve_until_stopped(int listener) {
  while (!g_stop) {
    const int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (connection < 0) {
      if (errno == EINTR) continue;
      perror("devnull_daemon: accept");
      return 1;
    }
    serve(connection);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2 || strlen(argv[1]) >= sizeof(((struct sockaddr_un*)0)->sun_path)) {
    fprintf(stderr, "usage: devnull_daemon SOCKET_PATH [--worker] [--clean] [--heap]\n");
    return 2;
  }
  int in_worker = 0;
  for (int i = 2; i < argc; ++i) {
    in_worker = in_worker || strcmp(argv[i], "--worker") == 0;
    g_clean = g_clean || strcmp(argv[i], "--clean") == 0;
    g_heap = g_heap || strcmp(argv[i], "--heap") == 0;
  }
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_handler = on_term;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, NULL); /* no SA_RESTART: accept() returns EINTR */
  sigaction(SIGINT, &action, NULL);
  signal(SIGPIPE, SIG_IGN);

  const int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un address;
  memset(&address, 0, sizeof(address));
  address.sun_family = AF_UNIX;
  strcpy(address.sun_path, argv[1]);
  unlink(argv[1]);
  if (listener < 0 || bind(listener, (struct sockaddr*)&address, sizeof(address)) != 0 ||
      listen(listener, 64) != 0) {
    perror("devnull_daemon: listen");
    return 1;
  }
  pid_t worker = -1;
  if (in_worker && (worker = fork()) == 0) _exit(serve_until_stopped(listener));
  if (in_worker && worker < 0) {
    perror("devnull_daemon: fork");
    return 1;
  }
  printf("{\"event\":\"ready\",\"pid\":%d,\"endpoint\":\"unix:%s\"}\n", (int)getpid(), argv[1]);
  fflush(stdout);

  int status = 0;
  if (in_worker) {
    while (!g_stop) pause();
    kill(worker, SIGTERM);
    while (waitpid(worker, NULL, 0) < 0 && errno == EINTR) {
    }
  } else {
    status = serve_until_stopped(listener);
  }
  close(listener);
  unlink(argv[1]);
  return status;
}
