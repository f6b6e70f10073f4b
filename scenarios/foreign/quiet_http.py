"""The HTTP handler the foreign test daemons here share: plain answers, no request log.

Standard library only, like the daemons that import it (python3 puts their directory on the
module path): readiness is by HTTP (GET /health), not by output, so nothing is logged.
"""

import http.server


class QuietHandler(http.server.BaseHTTPRequestHandler):
    def answer(self, code, body, content_type="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass
