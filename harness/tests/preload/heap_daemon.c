/* heap_daemon: a foreign daemon on glibc malloc for the preload's heap hooks, deliberately
 * not linked with leakgate. It listens on the Unix socket named by argv[1], prints the
 * readiness line and answers every request with "HTTP/1.0 200 OK". GET /leak leaks
 * --leak-bytes bytes (default 1024) in leak_once(): a deliberate leak, the pointer is
 * dropped. GET /churn allocates 1 MiB, touches it and frees it; GET /small makes and frees
 * 20000 blocks of 16-1000 bytes (both clean). GET /health does nothing. SIGTERM ends it with exit
 * code 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop = 0;
static size_t g_leak_bytes = 1024;
static void* volatile g_sink; /* the last block, so the compiler keeps the writes */

static void on_term(int signo) {
  (void)signo;
  g_stop = 1;
}

/* The leak. noinline, and not a tail call, so it is a frame of its own in sampled stacks. */
__attribute__((noinline)) static void leak_once(size_t bytes) {
  char* block = malloc(bytes);
  if (block == NULL) return;
  memset(block, 'L', bytes);
  g_sink = block; /* overwritten by the next request: the previous block is lost */
}

__attribute__((noinline)) static void churn_once(void) {
  const size_t size = (size_t)1 << 20;
  char* block = malloc(size);
  if (block == NULL) return;
  for (size_t i = 0; i < size; i += 4096) block[i] = (char)i;
  g_sink = block;
  free(block);
  g_sink = NULL;
}

__attribute__((noinline)) static void small_churn(void) {
  enum { kBlocks = 20000, kBatch = 100 };
  void* batch[kBatch];
  for (int i = 0; i < kBlocks; i += kBatch) {
    for (int j = 0; j < kBatch; ++j) batch[j] = malloc((size_t)(16 + (i + j * 37) % 985));
    for (int j = 0; j < kBatch; ++j) free(batch[j]);
  }
}

static void serve(int connection) {
  char request[4096] = "";
  size_t used = 0;
  while (used < sizeof(request) - 1) {
    const ssize_t n = read(connection, request + used, sizeof(request) - 1 - used);
    if (n <= 0) break;
    used += (size_t)n;
    request[used] = '\0';
    if (strstr(request, "\r\n\r\n") != NULL) break;
  }
  if (strncmp(request, "GET /leak", 9) == 0) leak_once(g_leak_bytes);
  if (strncmp(request, "GET /churn", 10) == 0) churn_once();
  if (strncmp(request, "GET /small", 10) == 0) small_churn();
  static const char kAnswer[] =
      "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
      "Connection: close\r\n\r\nok\n";
  if (write(connection, kAnswer, sizeof(kAnswer) - 1) < 0) perror("heap_daemon: write");
  close(connection);
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[2], "--leak-bytes") == 0) {
    g_leak_bytes = (size_t)strtoull(argv[3], NULL, 10);
  } else if (argc != 2) {
    fprintf(stderr, "usage: heap_daemon SOCKET_PATH [--leak-bytes N]\n");
    return 2;
  }
  if (strlen(argv[1]) >= sizeof(((struct sockaddr_un*)0)->sun_path)) {
    fprintf(stderr, "heap_daemon: socket path too long\n");
    return 2;
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
    perror("heap_daemon: listen");
    return 1;
  }
  printf("{\"event\":\"ready\",\"pid\":%d,\"endpoint\":\"unix:%s\"}\n", (int)getpid(), argv[1]);
  fflush(stdout);

  while (!g_stop) {
    const int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (connection < 0) {
      if (errno == EINTR) continue;
      perror("heap_daemon: accept");
      return 1;
    }
    serve(connection);
  }
  close(listener);
  unlink(argv[1]);
  return 0;
}
