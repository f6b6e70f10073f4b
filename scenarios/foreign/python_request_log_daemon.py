#!/usr/bin/env python3
"""A deliberately leaky test daemon: every GET /order keeps one instance of its own class.

    python_request_log_daemon.py PORT [--no-leak]

Serves HTTP on 127.0.0.1:PORT with the standard library only (http.server, a thread per
request). GET /health answers 200 (readiness). GET /order builds an OrderRecord (a plain user
class) and appends it to an audit list that nothing ever trims: one more live
__main__.OrderRecord per request, a few hundred bytes that RSS alone cannot tell from noise
in 20 iterations. leakgate's Python agent counts the instances (daemon.py.__main__.OrderRecord)
and names the line that made them. With --no-leak the audit list keeps only the last record.

scenarios/foreign/python-user-class-leak.yaml expects the type's violation; the CTest
page.foreign.python-user-class-leak fails unless the page names the class and the line of
the OrderRecord(...) call below.
"""

import time

from python_http_daemon import QuietHandler, serve

AUDIT = []  # the leak: every request's record, kept forever (list.append is atomic)


class OrderRecord:
    def __init__(self, path, client):
        self.path = path
        self.client = client
        self.received = time.time()
        self.tags = {"source": "http", "client": client}


class Handler(QuietHandler):
    def route(self, path):
        if path != "/order":
            return False
        record = OrderRecord(path, self.client_address[0])  # one per request
        if Handler.no_leak:
            AUDIT.clear()
        AUDIT.append(record)
        self.answer(200, b"ordered\n")
        return True


if __name__ == "__main__":
    serve(Handler, "--no-leak", threaded=True)
