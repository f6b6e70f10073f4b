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

from python_http_daemon import QuietHandler, serve

KEPT = []  # the leak: open files nobody closes


class Handler(QuietHandler):
    def route(self, path):
        if path != "/work":
            return False
        f = open(__file__, "rb")
        line = f.readline()
        if Handler.no_leak:
            f.close()
        else:
            KEPT.append(f)
        self.answer(200, line)
        return True


if __name__ == "__main__":
    serve(Handler, "--no-leak")
