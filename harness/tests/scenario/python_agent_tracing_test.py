"""The Python agent's tracing (harness/src/python/leakgate_tracing.py) on a real interpreter:
untraced until "trace", one frame until a type grows twice, then the full depth, whose sites
name the daemon's caller; counts answered as changes, exact over a frozen baseline
(leakgate_counting.py). Usage: python_agent_tracing_test.py AGENT_DIR
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

AGENT_DIR = sys.argv.pop(1) if len(sys.argv) > 1 else None

DAEMON = r'''
import http.server, sys, tracemalloc

class Record:
    pass

class Slot:  # a daemon's current objects, replaced by new ones: no leak
    pass

class Ring:  # the same, each in a reference cycle: only a collection frees it
    def __init__(self):
        self.me = self

kept = []
current = [Slot() for _ in range(4)] + [Ring()]

def make_record():
    return Record()

class Handler(http.server.BaseHTTPRequestHandler):
    log_message = lambda self, *args: None

    def do_GET(self):  # HTTP/1.0: the answer ends when the connection closes
        if self.path == "/leak":
            kept.append(make_record())
        elif self.path == "/replace":
            current[:] = [Slot() for _ in range(4)] + [Ring()]
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"traced" if tracemalloc.is_tracing() else b"untraced")

server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
'''


class AgentTracing(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="agent-tracing-")
        script = os.path.join(self.work, "daemon.py")
        with open(script, "w") as f:
            f.write(DAEMON)
        self.socket_path = os.path.join(self.work, "agent.sock")
        env = dict(os.environ, PYTHONPATH=AGENT_DIR, LEAKGATE_PY_TRACEMALLOC="8",
                   LEAKGATE_PY_SOCKET=self.socket_path,
                   LEAKGATE_PY_WARNINGS=os.path.join(self.work, "warnings.jsonl"))
        env.pop("PYTHONTRACEMALLOC", None)
        self.daemon = subprocess.Popen([sys.executable, script], env=env, stdout=subprocess.PIPE,
                                       text=True)
        self.port = int(self.daemon.stdout.readline())

    def tearDown(self):
        self.daemon.kill()
        self.daemon.wait()
        self.daemon.stdout.close()
        shutil.rmtree(self.work)

    def get(self, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path)
        body = connection.getresponse().read()
        connection.close()
        return body

    def ask(self, request):
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.socket_path)
                    s.sendall(json.dumps(request).encode() + b"\n")
                    data = b""
                    while chunk := s.recv(65536):
                        data += chunk
                    return json.loads(data)
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def counts(self, **request):
        return self.ask(dict(request, op="counts", changes=True))

    def test_untraced_until_asked_then_one_frame(self):
        self.assertEqual(self.get("/"), b"untraced")
        self.assertEqual(self.ask({"op": "trace"})["tracing"], 1)
        self.assertEqual(self.get("/"), b"traced")

    def test_asked_to_trace_from_the_next_request_the_warm_up_is_untraced(self):
        self.assertEqual(self.ask({"op": "trace", "at_next": True})["tracing"], 0)
        self.assertEqual(self.get("/"), b"untraced")
        baseline = self.counts()
        self.assertEqual(baseline["tracing"], 1)
        self.assertEqual(self.get("/"), b"traced")

    def test_a_growing_type_deepens_tracing_and_its_sites_name_the_caller(self):
        self.ask({"op": "trace"})
        baseline = self.counts()
        self.assertNotIn("__main__.Record", baseline["types"])
        for made in (1, 2):
            self.get("/leak")
            noise_yet = self.counts()
            self.assertEqual(noise_yet["types"].get("__main__.Record"), made)
            self.assertEqual(noise_yet["tracing"], 1, "two new highs may be noise")
        self.get("/leak")
        third = self.counts()
        self.assertEqual(third["tracing"], 8)
        self.assertIn("__main__.Record rose to 3 live (baseline 0)", third["deepened_by"])
        for _ in range(4):
            self.get("/leak")
        self.assertEqual(self.counts()["types"].get("__main__.Record"), 7)
        groups = self.ask({"op": "sites", "types": ["__main__.Record"]})["sites"]["__main__.Record"]
        top = groups[0]
        self.assertEqual(top["count"], 4)  # made after the switch
        self.assertTrue(top["frames"][0].startswith("make_record ("), top)
        self.assertTrue(any(f.startswith("Handler.do_GET (") for f in top["frames"]), top)

    def test_a_quiet_daemon_stays_at_one_frame_and_sends_no_unchanged_counts(self):
        self.ask({"op": "trace"})
        self.get("/")
        time.sleep(0.2)  # the server closes its side after the client has read the answer
        first = self.counts()
        self.assertGreater(len(first["types"]), 20)
        for _ in range(10):  # a loaded machine may still be closing the request's socket
            unchanged = self.counts()["types"]  # a container of the agent's own may go
            if len(unchanged) <= 3 and all(name.startswith("builtins.") for name in unchanged):
                break
            time.sleep(0.2)
        else:
            self.fail("counts of a quiet daemon kept changing: %s" % unchanged)
        for _ in range(5):
            self.get("/")
            time.sleep(0.1)
            again = self.counts()
            self.assertEqual(again["tracing"], 1)
        self.assertIsNone(again["deepened_by"])

    def test_snapshots_after_the_baseline_count_only_what_is_new(self):
        self.ask({"op": "trace"})
        self.get("/")
        baseline = self.counts()
        self.assertEqual(baseline["exact_counts"], 1)
        for _ in range(6):
            self.get("/leak")
            last = self.counts()
        self.assertEqual(last["types"].get("__main__.Record"), 6)
        # Frozen, the baseline is not collected again: a full count only when one of its
        # objects was freed (http.server frees a few after its first requests, then none).
        self.assertLessEqual(last["exact_counts"], 3)
        final = self.counts(final=True)
        self.assertEqual(final["exact_counts"], last["exact_counts"] + 1)
        self.assertEqual(final["types"].get("__main__.Record", 6), 6)

    def test_baseline_objects_freed_and_replaced_are_no_growth(self):
        self.ask({"op": "trace"})
        baseline = self.counts()["types"]
        self.assertEqual(baseline["__main__.Slot"], 4)
        self.assertEqual(baseline["__main__.Ring"], 1)
        slots, rings = [], []
        for _ in range(5):
            self.get("/replace")
            self.counts()  # answers only changes: read the full picture from the final
            whole = self.ask({"op": "counts"})["types"]
            slots.append(whole.get("__main__.Slot"))
            rings.append(whole.get("__main__.Ring"))
        # Freed Slots leave the frozen set, which forces an exact count: never more than 4.
        self.assertEqual(slots, [4] * 5)
        # A Ring frozen at the last exact count and dropped later is cyclic garbage that
        # only a thaw frees: at most one more, a step, never a slope.
        self.assertTrue(all(n in (1, 2) for n in rings), rings)
        final = self.ask({"op": "counts", "final": True})["types"]
        self.assertEqual((final["__main__.Slot"], final["__main__.Ring"]), (4, 1))

    def test_a_forked_child_collects_what_its_parent_froze(self):
        agent = subprocess.run(
            [sys.executable, "-c", "import gc, os, sys; sys.path.insert(0, %r); "
             "import leakgate_counting as c; c.LiveObjects().count(); "
             "assert gc.get_freeze_count() > 0; pid = os.fork(); "
             "os._exit(gc.get_freeze_count()) if pid == 0 else "
             "print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))" % AGENT_DIR],
            capture_output=True, text=True, timeout=30)
        self.assertEqual(agent.stdout.strip(), "0", agent.stderr)


class Thing:
    pass


class Renamed:
    pass


class FrozenCounts(unittest.TestCase):
    """leakgate_counting.LiveObjects in this process: frozen counts stay exact."""

    def setUp(self):
        sys.path.insert(0, AGENT_DIR)
        import leakgate_counting
        self.module = leakgate_counting
        self.live = leakgate_counting.LiveObjects()

    def tearDown(self):
        self.live.thaw()
        sys.path.remove(AGENT_DIR)

    def things(self, final=False):
        return self.live.count(final=final).get(Thing, 0)

    def test_a_frozen_object_dropped_and_a_new_one_kept_are_counted(self):
        kept = [Thing() for _ in range(3)]
        self.assertEqual(self.things(), 3)
        kept.pop()                      # a frozen Thing dropped: let go of, not counted
        kept.append(Thing())            # a new one: counted
        kept.append({"nested": Thing()})  # freed in two passes once the list drops it
        self.assertEqual(self.things(), 4)
        del kept[-1]
        self.assertEqual(self.things(), 3)
        self.assertEqual(self.live.exact_counts, 1)
        kept.extend(Thing() for _ in range(5))  # a leak
        self.assertEqual(self.things(), 8)
        self.assertEqual(self.things(final=True), 8)

    def test_what_the_agent_keeps_while_frozen_is_not_the_daemons_heap(self):
        import tracemalloc
        tracemalloc.start(1)
        try:
            before = tracemalloc.get_traced_memory()[0]
            self.live.count()
            kept = tracemalloc.get_traced_memory()[0] - before
            self.assertGreater(kept, 50000)  # the held list: 8 bytes per frozen object
            self.assertLess(abs(kept - self.live.retained_bytes()), 16 * 1024)
        finally:
            tracemalloc.stop()

    def test_a_frozen_object_whose_class_changed_forces_a_full_count(self):
        kept = [Thing(), Thing()]
        self.assertEqual(self.things(), 2)
        kept[0].__class__ = Renamed
        del kept[0]
        self.assertEqual(self.things(), 1)
        self.assertEqual(self.live.exact_counts, 2)

    def test_objects_made_while_counting_are_not_lost_in_the_frozen_set(self):
        made = []
        tally = self.module.tally

        def racing_tally(objects):  # another thread allocating between listing and freezing
            made.append(Thing())
            return tally(objects)
        self.module.tally = racing_tally
        try:
            self.things()
        finally:
            self.module.tally = tally
        self.assertEqual(self.things(), 1)


if __name__ == "__main__":
    unittest.main()
