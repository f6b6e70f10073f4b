#!/usr/bin/env python3
"""echo_daemon.py: the example's second daemon, Python and the standard library only.

  echo_daemon.py SOCKET_PATH [--leak-fd-per-request]

Answers HTTP requests on the Unix socket SOCKET_PATH with "ok", like echo_daemon.c. With
--leak-fd-per-request it opens a request log for every request and keeps it open forever.
SIGTERM ends it with exit code 0.
"""
import json
import os
import signal
import socket
import sys

ANSWER = b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"


def open_request_log():
    """The bug: a file opened per request and kept in a list, so it is never closed."""
    return open(os.devnull, "w")


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[2:] not in ([], ["--leak-fd-per-request"]):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path = sys.argv[1]
    leak = len(sys.argv) == 3
    request_logs = []
    signal.signal(signal.SIGTERM, lambda signo, frame: sys.exit(0))
    if os.path.exists(path):
        os.unlink(path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(path)
        listener.listen(64)
        # The readiness line leakgate waits for (daemon.ready: stdout).
        print(json.dumps({"event": "ready", "pid": os.getpid(), "endpoint": "unix:" + path}),
              flush=True)
        try:
            while True:
                connection, _ = listener.accept()
                with connection:
                    request = b""
                    while b"\r\n\r\n" not in request and len(request) < 4096:
                        chunk = connection.recv(4096)
                        if not chunk:
                            break
                        request += chunk
                    if leak:
                        request_logs.append(open_request_log())
                    connection.sendall(ANSWER)
        finally:
            os.unlink(path)


if __name__ == "__main__":
    sys.exit(main())
