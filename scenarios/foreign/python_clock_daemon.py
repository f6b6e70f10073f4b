#!/usr/bin/env python3
"""A test daemon whose resources follow its own clock, not its requests (issue 23).

    python_clock_daemon.py PORT [--tick SECONDS] [--hold SECONDS] [--keep-every N]
                                [--fd-per-tick] [--keep-bytes N]

Serves HTTP on 127.0.0.1:PORT with the standard library only: GET /health answers 200,
GET /work answers a short body. A timer thread ticks every --tick seconds (default 1.0) and
writes an export the way trackerd's sync does: a temp file in the work directory, open for
--hold seconds (default 0.2), then renamed over export.json. Clean, that file is open in some
samples and closed in others: leakgate must report it as transient, never as growth.

Leaks, one at a time:
  --keep-every N    every N-th tick keeps its temp file open (an fd per N ticks, a path named)
  --fd-per-tick     every tick opens /dev/null and keeps it (growth that follows time)
  --keep-bytes N    every GET /work keeps N bytes (a heap leak per request, for preload)

It installs no SIGTERM handler: dying of leakgate's stop signal is a clean stop.
"""

import argparse
import http.server
import os
import threading
import time

from python_http_daemon import QuietHandler

KEPT = []  # the leaks: open files and bytes nobody releases


class Handler(QuietHandler):
    keep_bytes = 0

    def route(self, path):
        if path != "/work":
            return False
        if Handler.keep_bytes:
            KEPT.append(bytearray(Handler.keep_bytes))
        self.answer(200, b"done\n")
        return True


def ticks(args):
    tick = 0
    while True:
        time.sleep(args.tick)
        tick += 1
        if args.fd_per_tick:
            KEPT.append(open(os.devnull, "rb"))
            continue
        temp = "export.json.tmp.%d" % tick
        f = open(temp, "w")
        f.write('{"tick": %d}\n' % tick)
        f.flush()
        time.sleep(args.hold)
        os.replace(temp, "export.json")
        if args.keep_every and tick % args.keep_every == 0:
            KEPT.append(f)
        else:
            f.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--tick", type=float, default=1.0)
    parser.add_argument("--hold", type=float, default=0.2)
    parser.add_argument("--keep-every", type=int, default=0)
    parser.add_argument("--fd-per-tick", action="store_true")
    parser.add_argument("--keep-bytes", type=int, default=0)
    args = parser.parse_args()
    Handler.keep_bytes = args.keep_bytes
    threading.Thread(target=ticks, args=(args,), daemon=True).start()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
