#!/usr/bin/env python3
"""A test daemon whose stop fails and that leaks: lighttpd's shape (issue 24 part 7).

    stop_fails_daemon.py PORT

Serves HTTP on 127.0.0.1:PORT (readiness: GET /health). Every GET /work opens /dev/null and
keeps it (daemon.fds +1 per request); SIGTERM makes it exit with code 1.
"""

import http.server
import signal
import sys

kept = []


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/work":
            kept.append(open("/dev/null", "rb"))
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
