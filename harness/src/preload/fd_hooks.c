/* The interposed fd-creating functions and close(): each calls the next definition (libc's)
 * and tells the accounting side. Plain C: no exception specifications to match glibc's. */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE /* its inline open() wrappers would collide with these definitions */
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdarg.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "preload_api.h"

#define EXPORT __attribute__((visibility("default")))
/* Who called the hook: fds opened by this library's own code are not the daemon's. */
#define CALLER __builtin_return_address(0)
/* The next definition, typed as `type`; NULL only during its own dlsym on this thread. */
#define NEXT(type, which) ((type)leakgate_next(which))
/* The next definition, of function pointer type `type`, called with the arguments; while it
 * is NULL, the system call `sys` with the same arguments. */
#define CALL_NEXT(type, which, sys, ...)                         \
  __extension__({                                                \
    __typeof__(type) next_ = NEXT(type, which);                  \
    next_ ? next_(__VA_ARGS__) : (int)syscall(sys, __VA_ARGS__); \
  })

int __open_2(const char* path, int flags);
int __open64_2(const char* path, int flags);
int __openat_2(int dirfd, const char* path, int flags);
int __openat64_2(int dirfd, const char* path, int flags);

static int has_mode(int flags) { return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE; }

/* open() and openat() families: the mode argument exists only with O_CREAT/O_TMPFILE. */
#define READ_MODE(flags, mode) \
  do {                         \
    if (has_mode(flags)) {     \
      va_list ap;              \
      va_start(ap, flags);     \
      mode = va_arg(ap, int);  \
      va_end(ap);              \
    }                          \
  } while (0)

typedef int (*open_fn)(const char*, int, ...);
typedef int (*openat_fn)(int, const char*, int, ...);

static int opened(int fd, const void* caller) {
  leakgate_fd_opened(fd, caller);
  return fd;
}

static int do_open(enum leakgate_next which, const char* path, int flags, int mode) {
  open_fn fn = NEXT(open_fn, which);
  return fn ? fn(path, flags, mode) : (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

static int do_openat(enum leakgate_next which, int dirfd, const char* path, int flags, int mode) {
  openat_fn fn = NEXT(openat_fn, which);
  return fn ? fn(dirfd, path, flags, mode) : (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

EXPORT int open(const char* path, int flags, ...) {
  int mode = 0;
  READ_MODE(flags, mode);
  return opened(do_open(LG_OPEN, path, flags, mode), CALLER);
}

EXPORT int open64(const char* path, int flags, ...) {
  int mode = 0;
  READ_MODE(flags, mode);
  return opened(do_open(LG_OPEN64, path, flags, mode), CALLER);
}

EXPORT int openat(int dirfd, const char* path, int flags, ...) {
  int mode = 0;
  READ_MODE(flags, mode);
  return opened(do_openat(LG_OPENAT, dirfd, path, flags, mode), CALLER);
}

EXPORT int openat64(int dirfd, const char* path, int flags, ...) {
  int mode = 0;
  READ_MODE(flags, mode);
  return opened(do_openat(LG_OPENAT64, dirfd, path, flags, mode), CALLER);
}

/* What _FORTIFY_SOURCE builds call when the flags are not a compile-time constant. */
EXPORT int __open_2(const char* path, int flags) {
  return opened(do_open(LG_OPEN_2, path, flags, 0), CALLER);
}
EXPORT int __open64_2(const char* path, int flags) {
  return opened(do_open(LG_OPEN64_2, path, flags, 0), CALLER);
}
EXPORT int __openat_2(int dirfd, const char* path, int flags) {
  return opened(do_openat(LG_OPENAT_2, dirfd, path, flags, 0), CALLER);
}
EXPORT int __openat64_2(int dirfd, const char* path, int flags) {
  return opened(do_openat(LG_OPENAT64_2, dirfd, path, flags, 0), CALLER);
}

EXPORT int creat(const char* path, mode_t mode) {
  return opened(do_open(LG_CREAT, path, O_CREAT | O_WRONLY | O_TRUNC, (int)mode), CALLER);
}
EXPORT int creat64(const char* path, mode_t mode) {
  return opened(do_open(LG_CREAT64, path, O_CREAT | O_WRONLY | O_TRUNC, (int)mode), CALLER);
}

EXPORT int socket(int domain, int type, int protocol) {
  return opened(CALL_NEXT(int (*)(int, int, int), LG_SOCKET, SYS_socket, domain, type, protocol),
                CALLER);
}

static int opened_pair(int result, const int fds[2], const void* caller) {
  if (result == 0) {
    leakgate_fd_opened(fds[0], caller);
    leakgate_fd_opened(fds[1], caller);
  }
  return result;
}

EXPORT int socketpair(int domain, int type, int protocol, int fds[2]) {
  const int result = CALL_NEXT(int (*)(int, int, int, int*), LG_SOCKETPAIR, SYS_socketpair, domain,
                               type, protocol, fds);
  return opened_pair(result, fds, CALLER);
}

EXPORT int accept(int fd, __SOCKADDR_ARG address, socklen_t* restrict length) {
  typedef int (*fn_t)(int, __SOCKADDR_ARG, socklen_t* restrict);
  fn_t fn = NEXT(fn_t, LG_ACCEPT);
  return opened(
      fn ? fn(fd, address, length) : (int)syscall(SYS_accept4, fd, address.__sockaddr__, length, 0),
      CALLER);
}

EXPORT int accept4(int fd, __SOCKADDR_ARG address, socklen_t* restrict length, int flags) {
  typedef int (*fn_t)(int, __SOCKADDR_ARG, socklen_t* restrict, int);
  fn_t fn = NEXT(fn_t, LG_ACCEPT4);
  return opened(fn ? fn(fd, address, length, flags)
                   : (int)syscall(SYS_accept4, fd, address.__sockaddr__, length, flags),
                CALLER);
}

EXPORT int pipe(int fds[2]) {
  typedef int (*fn_t)(int*);
  fn_t fn = NEXT(fn_t, LG_PIPE);
  return opened_pair(fn ? fn(fds) : (int)syscall(SYS_pipe2, fds, 0), fds, CALLER);
}

EXPORT int pipe2(int fds[2], int flags) {
  return opened_pair(CALL_NEXT(int (*)(int*, int), LG_PIPE2, SYS_pipe2, fds, flags), fds, CALLER);
}

EXPORT int dup(int fd) { return opened(CALL_NEXT(int (*)(int), LG_DUP, SYS_dup, fd), CALLER); }

/* dup2/dup3 close `to` first: recording `to` again releases its old record. */
EXPORT int dup2(int from, int to) {
  const int result = CALL_NEXT(int (*)(int, int), LG_DUP2, SYS_dup2, from, to);
  return from == to ? result : opened(result, CALLER);
}

EXPORT int dup3(int from, int to, int flags) {
  return opened(CALL_NEXT(int (*)(int, int, int), LG_DUP3, SYS_dup3, from, to, flags), CALLER);
}

EXPORT int eventfd(unsigned int count, int flags) {
  return opened(CALL_NEXT(int (*)(unsigned int, int), LG_EVENTFD, SYS_eventfd2, count, flags),
                CALLER);
}

EXPORT int epoll_create(int size) {
  return opened(CALL_NEXT(int (*)(int), LG_EPOLL_CREATE, SYS_epoll_create, size), CALLER);
}

EXPORT int epoll_create1(int flags) {
  return opened(CALL_NEXT(int (*)(int), LG_EPOLL_CREATE1, SYS_epoll_create1, flags), CALLER);
}

EXPORT int timerfd_create(int clock, int flags) {
  return opened(CALL_NEXT(int (*)(int, int), LG_TIMERFD_CREATE, SYS_timerfd_create, clock, flags),
                CALLER);
}

EXPORT int memfd_create(const char* name, unsigned int flags) {
  return opened(
      CALL_NEXT(int (*)(const char*, unsigned int), LG_MEMFD_CREATE, SYS_memfd_create, name, flags),
      CALLER);
}

/* Async-signal-safe: the record is detached before the number can be reused by another
 * thread's open, and only queued for release (see leakgate_fd_closing). */
EXPORT int close(int fd) {
  leakgate_fd_closing(fd);
  return CALL_NEXT(int (*)(int), LG_CLOSE, SYS_close, fd);
}

EXPORT int close_range(unsigned int first, unsigned int last, int flags) {
  if ((flags & CLOSE_RANGE_CLOEXEC) == 0) leakgate_fd_range_closing(first, last);
  return CALL_NEXT(int (*)(unsigned int, unsigned int, int), LG_CLOSE_RANGE, SYS_close_range, first,
                   last, flags);
}
