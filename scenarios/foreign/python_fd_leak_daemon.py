#!/usr/bin/env python3
"""A deliberately leaky test daemon: every GET /work leaks one open file.

    python_fd_leak_daemon.py PORT [--no-leak]

Serves HTTP on 127.0.0.1:PORT with the standard library only. GET /health answers 200
(readiness). GET /work opens the daemon's own source file, reads a line and keeps the file
object in a list that nothing ever empties: one more open fd per request (a regular file,
leakgate's daemon.fds and daemon.fds.file). With --no-leak the same request closes the
file, so the clean twin of the scenario proves the leak, not the daemon, fails the test.

It exists to show leakgate guarding a daemon written in another language, with nothing but
/proc: scenarios/foreign/python-fd-leak.yaml (must fail exactly daemon.fds and
daemon.fds.file) and python-fd-clean.yaml (the same daemon with --no-leak, must pass).
"""

import http.server
import sys

from quiet_http import QuietHandler

KEPT = []  # the leak: open files nobody closes


class Handler(QuietHandler):
    leak = True

    def do_GET(self):
        if self.path == "/health":
            self.answer(200, b"ok\n")
        elif self.path == "/work":
            f = open(__file__, "rb")
            line = f.readline()
            if Handler.leak:
                KEPT.append(f)
            else:
                f.close()
            self.answer(200, line)
        else:
            self.answer(404, b"not found\n")


def main():
    args = sys.argv[1:]
    if "--no-leak" in args:
        Handler.leak = False
        args.remove("--no-leak")
    if len(args) != 1:
        sys.exit("usage: python_fd_leak_daemon.py PORT [--no-leak]")
    server = http.server.HTTPServer(("127.0.0.1", int(args[0])), Handler)
    server.serve_forever()  # no SIGTERM handler: dying of leakgate's stop signal is a clean stop


if __name__ == "__main__":
    main()
