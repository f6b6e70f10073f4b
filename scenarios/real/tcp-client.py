#!/usr/bin/env python3
"""A plain TCP client for the scenarios in this directory (not a wrapper: the daemons run
as Debian ships them). Connects to 127.0.0.1:PORT, sends TEXT if given ("\\r\\n" escapes
allowed), reads the first reply, then:

  tcp-client.py PORT [TEXT]          closes the connection and exits (a well-behaved client)
  tcp-client.py --leave-open PORT    leaves the connection open: a background process holds
                                     it until the server closes it (when the daemon stops) or
                                     HOLD_SECONDS (default 120) pass, and this one exits at once
                                     so the exec step ends. One leaked connection per call.
"""
import os
import socket
import sys


def main(argv):
    leave_open = argv[:1] == ["--leave-open"]
    if leave_open:
        argv = argv[1:]
    if not 1 <= len(argv) <= 2:
        sys.exit(__doc__)
    port = int(argv[0])
    text = argv[1].encode().decode("unicode_escape").encode() if len(argv) == 2 else b""
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    if text:
        conn.sendall(text)
        if not conn.recv(65536):
            sys.exit("the server closed the connection without a reply")
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
