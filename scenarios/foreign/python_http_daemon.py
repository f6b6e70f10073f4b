"""The HTTP plumbing the Python test daemons here share (standard library only).

QuietHandler answers GET /health with 200 (readiness), lets a subclass's route(path) answer
the rest (404 when it returns False), and logs nothing: readiness is by HTTP, not by output.
serve() parses `PORT [--flag]`, sets the flag on the handler class as a boolean attribute
(--no-leak -> no_leak) and serves on 127.0.0.1:PORT until the process dies. No SIGTERM
handler: dying of leakgate's stop signal is a clean stop.
"""

import http.server
import sys


class QuietHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            self.answer(200, b"ok\n")
        elif not self.route(self.path):
            self.answer(404, b"not found\n")

    def route(self, path):  # a subclass's requests: True when answered
        return False

    def answer(self, code, body, content_type="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def serve(handler, flag, threaded=False):
    """`script PORT [flag]`: one server, a thread per request when threaded."""
    args = sys.argv[1:]
    setattr(handler, flag.lstrip("-").replace("-", "_"), flag in args)
    args = [arg for arg in args if arg != flag]
    if len(args) != 1 or not args[0].isdigit():
        sys.exit("usage: %s PORT [%s]" % (sys.argv[0].rsplit("/", 1)[-1], flag))
    server_class = http.server.ThreadingHTTPServer if threaded else http.server.HTTPServer
    server_class(("127.0.0.1", int(args[0])), handler).serve_forever()
