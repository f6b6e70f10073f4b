#!/usr/bin/env python3
"""A deliberately leaky test daemon: every GET /work starts a detached helper that outlives it.

    detached_helper_daemon.py PORT

Serves HTTP on 127.0.0.1:PORT (readiness: GET /health answers 200). Each GET /work starts
`sleep 300` in a new session (subprocess.Popen(..., start_new_session=True)) and answers 200;
nothing ever stops those helpers. While the daemon runs they are its children; when it dies
of SIGTERM (it installs no handler) they are orphans in their own sessions, out of reach of a
stop that signals the daemon's process group. leakgate must find them (daemon.children grows
by one per request; daemon.orphans lists each helper left after the stop) and kill them.

GET /double-fork does the same with the classic daemonize double fork (fork, setsid, fork,
the middle process exits at once), so the helper is never the daemon's child for long.
"""

import http.server
import os
import subprocess
import sys

from python_http_daemon import QuietHandler

HELPER = ["sleep", "300"]


def double_fork():
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                os.execvp(HELPER[0], HELPER)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)  # the middle process: the helper is orphaned right away


class Handler(QuietHandler):
    helpers = []  # Popen objects, kept: nothing waits for them or stops them

    def do_GET(self):
        if self.path == "/health":
            self.answer(200, b"ok\n")
        elif self.path == "/work":
            Handler.helpers.append(
                subprocess.Popen(HELPER, start_new_session=True, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            self.answer(200, b"started a detached helper\n")
        elif self.path == "/double-fork":
            double_fork()
            self.answer(200, b"double-forked a helper\n")
        else:
            self.answer(404, b"not found\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: detached_helper_daemon.py PORT")
    server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
