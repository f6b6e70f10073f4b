#!/usr/bin/env python3
"""A test daemon that counts its own objects and serves them as Prometheus text; --leak
makes it leak them deliberately.

    python_metrics_daemon.py PORT [--leak]

Serves HTTP on 127.0.0.1:PORT with the standard library only. Each GET /work makes a
Widget for the length of the request; GET /metrics serves, in the Prometheus text format,
the live and created counts the way leakgate's own accounting library names them:

    leakgate_widgets_live 0            <- leakgate reads this as daemon.widgets
    leakgate_widgets_created_total 12

(`counters: prometheus:/metrics` maps every `leakgate_<kind>_live` to `daemon.<kind>` and
`leakgate_heap_bytes` to `daemon.heap`; other lines are ignored.) With --leak every request's
Widget is kept in a list that nothing empties: daemon.widgets grows by one per request.

It exists to show app-level counters of a daemon that does not link leakgate:
scenarios/foreign/python-metrics-clean.yaml (must pass) and python-metrics-leak.yaml
(--leak, must fail exactly daemon.widgets).
"""

import threading

from python_http_daemon import QuietHandler, serve


class Widget:
    """A counted object: live from construction until release()."""

    lock = threading.Lock()
    live = 0
    created = 0

    def __init__(self):
        with Widget.lock:
            Widget.live += 1
            Widget.created += 1
        self.payload = bytearray(64)

    def release(self):
        with Widget.lock:
            Widget.live -= 1


KEPT = []  # with --leak: widgets nobody releases


def metrics_text():
    with Widget.lock:
        live, created = Widget.live, Widget.created
    return (
        "# HELP leakgate_widgets_live live widgets\n"
        "# TYPE leakgate_widgets_live gauge\n"
        f"leakgate_widgets_live {live}\n"
        "# HELP leakgate_widgets_created_total widgets ever created\n"
        "# TYPE leakgate_widgets_created_total counter\n"
        f"leakgate_widgets_created_total {created}\n"
    ).encode()


class Handler(QuietHandler):
    def route(self, path):
        if path == "/metrics":
            self.answer(200, metrics_text(), "text/plain; version=0.0.4")
        elif path == "/work":
            widget = Widget()
            if Handler.leak:
                KEPT.append(widget)
            else:
                widget.release()
            self.answer(200, b"worked\n")
        else:
            return False
        return True


if __name__ == "__main__":
    serve(Handler, "--leak")
