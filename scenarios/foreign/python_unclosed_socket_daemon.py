#!/usr/bin/env python3
"""A deliberately careless test daemon: every GET /probe opens a socket and never closes it.

    python_unclosed_socket_daemon.py PORT [--close]

Serves HTTP on 127.0.0.1:PORT with the standard library only. GET /health answers 200
(readiness). GET /probe makes a UDP socket to ask the kernel which address would reach
127.0.0.1 and drops it without close(): CPython closes it when the last reference goes and
raises a ResourceWarning ("unclosed <socket.socket ...>") naming this file's line. No fd
grows (the socket is closed by its finalizer), so /proc sees nothing: only the warning tells.
With --close the same request closes the socket (no warning).

scenarios/foreign/python-unclosed-socket.yaml runs it with leakgate's Python agent; the
CTest page.foreign.python-unclosed-socket fails unless the test's page lists the warning
with this file and the line of the socket.socket(...) call below.
"""

import socket

from python_http_daemon import QuietHandler, serve


class Handler(QuietHandler):
    def route(self, path):
        if path != "/probe":
            return False
        self.answer(200, (local_address(Handler.close) + "\n").encode())
        return True


def local_address(close):
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # the unclosed socket
    probe.connect(("127.0.0.1", 9))  # UDP: no packet is sent, only a route chosen
    address = probe.getsockname()[0]
    if close:
        probe.close()
    return address


if __name__ == "__main__":
    serve(Handler, "--close")
