/* Internal interface of libleakgate_preload.so between the interposed functions (C, in
 * fd_hooks.c) and the accounting side (C++). Hidden: only the hooks are exported. */
#ifndef LEAKGATE_PRELOAD_API_H
#define LEAKGATE_PRELOAD_API_H

#ifdef __cplusplus
extern "C" {
#endif

/* The interposed functions, in the order of their names in next_symbols.c. */
enum leakgate_next {
  LG_OPEN,
  LG_OPEN64,
  LG_OPENAT,
  LG_OPENAT64,
  LG_OPEN_2,
  LG_OPEN64_2,
  LG_OPENAT_2,
  LG_OPENAT64_2,
  LG_CREAT,
  LG_CREAT64,
  LG_SOCKET,
  LG_SOCKETPAIR,
  LG_ACCEPT,
  LG_ACCEPT4,
  LG_PIPE,
  LG_PIPE2,
  LG_DUP,
  LG_DUP2,
  LG_DUP3,
  LG_EVENTFD,
  LG_EPOLL_CREATE,
  LG_EPOLL_CREATE1,
  LG_TIMERFD_CREATE,
  LG_MEMFD_CREATE,
  LG_CLOSE,
  LG_CLOSE_RANGE,
  LG_NEXT_COUNT
};

/* The next definition (normally libc's) via dlsym(RTLD_NEXT); NULL while a lookup is
 * already running on this thread (dlsym may allocate): the hook then makes the syscall. */
void* leakgate_next(enum leakgate_next which);
void leakgate_resolve_all_next(void);

/* A new fd: recorded as a live object of kind "fds" with its creation stack, unless it was
 * opened from inside this library or from inside a hook (recursion). Allocates and locks:
 * not for signal handlers. Keeps errno. */
void leakgate_fd_opened(int fd, const void* caller);
/* fd is about to be closed: its record is detached and its release queued. Lock-free and
 * allocation-free, so close() stays async-signal-safe. Keeps errno. */
void leakgate_fd_closing(int fd);
void leakgate_fd_range_closing(unsigned first, unsigned last);

#ifdef __cplusplus
}
#endif

#endif
