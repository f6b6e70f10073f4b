#!/usr/bin/env python3
"""A deliberately leaky test daemon that forks per request.

    forking_daemon.py PORT MODE

Serves HTTP on 127.0.0.1:PORT (readiness: GET /health answers 200). Every GET /work forks:

- MODE zombie: the child exits at once and the daemon never waits for it, so each request
  leaves a zombie in the daemon's children list (daemon.children +1 per request).
- MODE worker-every-5: every 5th request's child stays alive (a worker nobody stops); the
  others exit and are reaped at once.
- MODE clean: every child exits and is reaped before the answer.
- MODE double-fork: the child starts a new session and forks `sleep 3175` with an empty
  environment (no run marker), then exits: the sleeper escapes the daemon's tree, and only
  its cgroup still holds it.
- MODE hog: no fork; the daemon keeps 64 MiB more per request (written, so resident).
"""

import http.server
import os
import signal
import sys

MODE = sys.argv[2] if len(sys.argv) > 2 else "zombie"
HOARD = []


class Handler(http.server.BaseHTTPRequestHandler):
    requests = 0

    def do_GET(self):
        if self.path == "/health":
            self.answer(200, b"ok\n")
            return
        if self.path != "/work":
            self.answer(404, b"not found\n")
            return
        Handler.requests += 1
        if MODE == "hog":
            HOARD.append(bytearray(b"x") * (64 << 20))
            self.answer(200, b"kept\n")
            return
        if MODE == "double-fork":
            self.double_fork()
            self.answer(200, b"escaped\n")
            return
        keep = MODE == "worker-every-5" and Handler.requests % 5 == 0
        pid = os.fork()
        if pid == 0:
            if keep:
                while True:
                    signal.pause()
            os._exit(0)
        if MODE != "zombie" and not keep:
            os.waitpid(pid, 0)
        self.answer(200, b"forked\n")

    @staticmethod
    def double_fork():
        pid = os.fork()
        if pid == 0:
            os.setsid()
            if os.fork() == 0:
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                os.execve("/bin/sleep", ["sleep", "3175"], {})
            os._exit(0)
        os.waitpid(pid, 0)

    def answer(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
