#!/usr/bin/env python3
"""A plain TCP client for the scenarios in this directory (not a wrapper: the daemons run
as Debian ships them). Connects to 127.0.0.1:PORT, sends TEXT if given ("\\r\\n" escapes
allowed), reads the first reply, then:

  tcp-client.py PORT [TEXT]          closes the connection and exits (a well-behaved client)
  tcp-client.py --until END PORT TEXT  reads until the reply ends with END (several commands
                                     on one connection), then closes
  tcp-client.py --leave-open PORT    leaves the connection open: a background process holds
                                     it until the server closes it (when the daemon stops) or
                                     HOLD_SECONDS (default 120) pass, and this one exits at once
                                     so the exec step ends. One leaked connection per call.
"""
import os
import socket
import sys


def unescape(text):
    return text.encode().decode("unicode_escape").encode("latin-1")


def main(argv):
    leave_open = argv[:1] == ["--leave-open"]
    if leave_open:
        argv = argv[1:]
    until = b""
    if argv[:1] == ["--until"] and len(argv) > 1:
        until, argv = unescape(argv[1]), argv[2:]
    if not 1 <= len(argv) <= 2:
        sys.exit(__doc__)
    port = int(argv[0])
    text = unescape(argv[1]) if len(argv) == 2 else b""
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    if text:
        conn.sendall(text)
        reply = b""
        while not reply or not reply.endswith(until):
            chunk = conn.recv(65536)
            if not chunk:
                sys.exit("the server closed the connection; reply so far: %r" % reply)
            reply += chunk
    if not leave_open:
        conn.close()
        return
    if os.fork() != 0:
        os._exit(0)  # the exec step sees its command end; the child keeps the socket
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    conn.settimeout(float(os.environ.get("HOLD_SECONDS", "120")))
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass


if __name__ == "__main__":
    main(sys.argv[1:])
