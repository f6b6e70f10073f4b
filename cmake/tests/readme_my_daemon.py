#!/usr/bin/env python3
"""The README's "your own daemon" as a real program: an HTTP server on 127.0.0.1:--port that
answers GET /health and GET /things, its data in --data. readme-own-daemon runs the README's
scenario against it, so the snippet a reader copies is one CI runs."""
import argparse
import http.server
import json
import pathlib
import signal
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            body = b"ok\n"
        elif self.path == "/things":
            body = json.dumps(sorted(p.name for p in self.server.data.iterdir())).encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet: one line per request is noise in the run's log
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", type=pathlib.Path, required=True)
    options = parser.parse_args()
    server = http.server.HTTPServer(("127.0.0.1", options.port), Handler)
    server.data = options.data
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
