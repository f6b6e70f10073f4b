"""leakgate's Python agent: loaded by the interpreter at start-up, not by the daemon's code.

leakgate (daemon: {python: true}) puts this directory first on PYTHONPATH and sets
LEAKGATE_PY_TRACEMALLOC (the traceback depth), LEAKGATE_PY_SOCKET (a Unix socket in the run's
work directory) and LEAKGATE_PY_WARNINGS (a file). A daemon thread of ours serves one JSON
request per connection on the socket; the daemon's own code sees no signal, port or thread it
must know.

tracemalloc starts with the baseline's snapshot (leakgate says so when the daemon is ready),
with one frame until something
grows, then the configured depth (leakgate_tracing.py: what it costs, and why).

Requests (one line of JSON) and answers (one JSON document, then the connection closes):
  {"op": "trace"}   -> tracemalloc starts (if it did not yet): {"tracing": frames, "pid": ...}
                       With "at_next": true it starts with the next request instead (leakgate's
                       baseline): the warm-up's first-time work (http.server's mime types)
                       stays untraced, like the imports (20-30 ms of a run).
  {"op": "counts"}  -> full gc.collect(), then {"types": {"module.Qualname": n, ...},
                       "user_types": [types defined by the daemon's own code],
                       "heap": tracemalloc traced bytes, "pid": ...,
                       "tracing": frames per traceback now, "deepened_by": why, once it was,
                       "exact_counts": snapshots that collected and counted everything}
                       What was live at the last exact count is frozen, not collected again
                       (leakgate_counting.py); with "final": true everything is, and thawed.
                       With "changes": true, "types" holds only the counts that differ from
                       the previous counts answer (a type gone: 0) and "user_types" only the
                       new ones: a checkpoint of a quiet daemon sends a few entries, not 170.
  {"op": "sites", "types": [...], "sample": N}
                    -> {"sites": {"module.Qualname": [{"count": n, "frames": [...]}]}}
                       frames "function (file:line)", the daemon's own code first.
ResourceWarnings are always shown and appended to LEAKGATE_PY_WARNINGS as JSON lines
({"message", "file", "line", "allocated_at": frames as above, when tracemalloc knows}).
Before counting, each running asyncio loop drops its cancelled timers (what the loop does by
itself, lazily, once they are over half of 100+ scheduled): a cancelled aiohttp request
timeout is no live object, but until that purge it and its Context look like +1 per request.
A type is the daemon's own ("user_types") when its module's file lies outside the standard
library, site/dist-packages and this directory; types of modules without a file are not.
Standard library only. Any user sitecustomize further down sys.path still runs.
"""

import gc
import heapq
import json
import os
import socket
import struct
import sys
import sysconfig
import threading
import _tracemalloc  # what tracemalloc.py re-exports, without its 4 ms of imports (pickle)
import warnings
import weakref

from leakgate_counting import LiveObjects
from leakgate_tracing import Tracing


def _library_dirs():
    paths = sysconfig.get_paths()
    dirs = {paths.get("stdlib"), paths.get("platstdlib"), paths.get("purelib"), paths.get("platlib"),
            os.path.dirname(os.path.abspath(__file__))}
    dirs.update(p for p in sys.path if p.endswith(("dist-packages", "site-packages")))
    return tuple(d.rstrip("/") + "/" for d in dirs if d)


_LIBRARY = _library_dirs()
_functions = {}  # filename -> [(first line, last line, qualified name)]


def _function_at(filename, lineno):
    """The innermost def enclosing filename:lineno (tracemalloc keeps lines, not names)."""
    import ast  # here: sites are rare, and the import cost every start-up 1.5-2 ms
    if filename not in _functions:
        spans = []
        try:
            with open(filename, "rb") as f:
                tree = ast.parse(f.read())

            def walk(node, prefix):
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        name = prefix + child.name
                        if not isinstance(child, ast.ClassDef):
                            spans.append((child.lineno, child.end_lineno, name))
                        walk(child, name + ".")
                    else:
                        walk(child, prefix)
            walk(tree, "")
        except (OSError, SyntaxError, ValueError):
            pass
        _functions[filename] = spans
    best = None
    for first, last, name in _functions[filename]:
        if first <= lineno <= last and (best is None or first >= best[0]):
            best = (first, name)
    return best[1] if best else "<module>"


def _frames(traceback):
    """The allocation's frames ((file, line), innermost first, as _tracemalloc gives them),
    in words; the daemon's own before libraries'."""
    frames = list(traceback)
    own = [f for f in frames if not f[0].startswith(_LIBRARY) and not f[0].startswith("<")]
    chosen = own or frames
    if not chosen:
        return ["site unknown (tracemalloc has no traceback for it)"]
    return ["%s (%s:%d)" % (_function_at(name, line), name, line) for name, line in chosen]


_MANAGED_DICT = 1 << 4  # Py_TPFLAGS_MANAGED_DICT (3.11)
_GC = 1 << 14           # Py_TPFLAGS_HAVE_GC
_PRE_HEADER = 4 * struct.calcsize("P")  # the GC header's two words, then dict and values
_traceback_at = []      # ctypes' _PyTraceMalloc_GetTraceback, loaded on first need


def _managed_dict_traceback(obj):
    """Python 3.11 allocates an instance with a managed __dict__ two words before its GC
    header, but get_object_traceback looks one header before the object (3.12 fixed it):
    ask tracemalloc's C API for the block where it really starts."""
    flags = type(obj).__flags__
    if sys.version_info[:2] != (3, 11) or flags & (_MANAGED_DICT | _GC) != _MANAGED_DICT | _GC:
        return None
    if not _traceback_at:
        try:
            import ctypes
            function = ctypes.pythonapi._PyTraceMalloc_GetTraceback
            function.restype = ctypes.py_object
            function.argtypes = (ctypes.c_uint, ctypes.c_size_t)
            _traceback_at.append(function)
        except (ImportError, AttributeError):
            _traceback_at.append(None)
    if _traceback_at[0] is None:
        return None
    return _traceback_at[0](0, id(obj) - _PRE_HEADER)


def _made_at(obj):
    """Where obj was allocated; for an instance with a managed __dict__ where Python 3.11
    really put it, else the site most of the objects it holds were allocated at."""
    traceback = _tracemalloc._get_object_traceback(obj) or _managed_dict_traceback(obj)
    if traceback:
        return tuple(_frames(traceback))
    votes = {}
    for referent in gc.get_referents(obj):
        if isinstance(referent, (type, type(sys))):
            continue
        held = _tracemalloc._get_object_traceback(referent)
        if held:
            site = tuple(_frames(held))
            votes[site] = votes.get(site, 0) + 1
    if votes:
        return max(votes.items(), key=lambda item: item[1])[0]
    return ("site unknown (tracemalloc has no traceback for it)",)


def _type_name(kind):
    return "%s.%s" % (getattr(kind, "__module__", "?"), getattr(kind, "__qualname__", kind.__name__))


_user_modules = {}  # module name -> is the daemon's own code


def _is_user_type(kind):
    module_name = getattr(kind, "__module__", None)
    if module_name not in _user_modules:
        module = sys.modules.get(module_name) if isinstance(module_name, str) else None
        filename = getattr(module, "__file__", None)
        own = isinstance(filename, str) and not filename.startswith("<")
        if own:
            own = not os.path.abspath(filename).startswith(_LIBRARY)
        _user_modules[module_name] = own
    return _user_modules[module_name]


def _purge_cancelled_timers(loop, done):
    """Runs on the loop's thread: BaseEventLoop._run_once's own purge, done now."""
    try:
        if getattr(loop, "_timer_cancelled_count", 0) and isinstance(loop._scheduled, list):
            live = []
            for handle in loop._scheduled:
                if handle._cancelled:
                    handle._scheduled = False
                else:
                    live.append(handle)
            heapq.heapify(live)
            loop._scheduled = live
            loop._timer_cancelled_count = 0
    finally:
        done.set()


_loops = weakref.WeakSet()  # asyncio loops seen: a frozen one is in no later listing


def _settle_asyncio_loops(objects):
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return
    _loops.update(o for o in objects if isinstance(o, asyncio.BaseEventLoop))
    for loop in list(_loops):
        if not loop.is_running() or loop.is_closed():
            continue
        done = threading.Event()
        try:
            loop.call_soon_threadsafe(_purge_cancelled_timers, loop, done)
        except RuntimeError:  # closed meanwhile
            continue
        done.wait(5)  # a loop blocked in a callback: count what is there


_live = LiveObjects()


def _live_by_type(final=False):
    """After a full collection (of what was made since the last exact count: see
    leakgate_counting.py), live objects per type object."""
    return _live.count(_settle_asyncio_loops, final)


_names = {}      # type object -> (name, is the daemon's own): live types only, see _counts
_last_sent = {}  # name -> count in the previous counts answer
_user_sent = set()


def _counts(changes_only, final=False):
    """Names each type once per run (a name per snapshot was 170 traced strings each time);
    the cache keeps only types with live instances, so it holds no class alive by itself."""
    live = _live_by_type(final)  # first: nothing of ours alive to be frozen with it
    types = {}
    user = set()
    for kind in [kind for kind in _names if kind not in live]:
        del _names[kind]
    for kind, count in live.items():
        if kind not in _names:
            _names[kind] = (_type_name(kind), _is_user_type(kind))
        name, own = _names[kind]
        types[name] = types.get(name, 0) + count
        if own:
            user.add(name)
    _tracing.watch(types)
    heap = None
    if _tracemalloc.is_tracing():
        heap = _tracemalloc.get_traced_memory()[0] - _live.retained_bytes()
    sent = types
    if changes_only:
        sent = {name: n for name, n in types.items() if _last_sent.get(name) != n}
        sent.update((name, 0) for name in _last_sent if name not in types)
        user -= _user_sent
    _last_sent.clear()
    _last_sent.update(types)
    _user_sent.update(user)
    return {"types": sent, "user_types": sorted(user), "heap": heap, "pid": os.getpid(),
            "tracing": _tracing.limit(), "deepened_by": _tracing.deepened_by,
            "exact_counts": _live.exact_counts}


_tracing = Tracing(0)  # its depth: LEAKGATE_PY_TRACEMALLOC, read by _start


def _start_tracing():
    _tracing.start()
    return {"tracing": _tracing.limit(), "pid": os.getpid()}


def _sites(wanted, sample):
    wanted = set(wanted)
    kinds = {kind for kind in _live_by_type(final=True) if _type_name(kind) in wanted}
    seen = {name: 0 for name in wanted}
    groups = {name: {} for name in wanted}
    for obj in gc.get_objects():
        if type(obj) not in kinds:
            continue
        name = _type_name(type(obj))
        if seen[name] >= sample:
            continue
        seen[name] += 1
        frames = _made_at(obj)
        groups[name][frames] = groups[name].get(frames, 0) + 1
    return {"sites": {name: [{"count": n, "frames": list(f)} for f, n in
                             sorted(by_stack.items(), key=lambda item: -item[1])]
                      for name, by_stack in groups.items()}}


def _reply(request):
    try:
        request = json.loads(request or b"{}")
        # A runner that never says "trace" still gets traced checkpoints after its first.
        op = request.get("op")
        if op == "trace" and request.get("at_next"):
            return json.dumps({"tracing": _tracing.limit(), "pid": os.getpid()}).encode()
        tracing = _start_tracing()
        if op == "trace":
            reply = tracing
        elif op == "sites":
            reply = _sites(request.get("types", []), int(request.get("sample", 200)))
        else:
            changes, final = bool(request.get("changes")), bool(request.get("final"))
            del request  # nothing of ours alive but what lasts when a count freezes
            reply = _counts(changes, final)
    except Exception as error:  # the daemon must not die of our request
        reply = {"error": "%s: %s" % (type(error).__name__, error)}
    return json.dumps(reply).encode()


def _serve(path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    listener.bind(path)
    listener.listen(4)
    while True:
        connection, _ = listener.accept()
        request = b""
        try:
            while not request.endswith(b"\n"):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                request += chunk
        except OSError:
            pass
        # Only the descriptor lives on while the answer is made: a socket object frozen with
        # the live objects (leakgate_counting.py) and freed after would force a full count.
        descriptor = connection.detach()
        del connection
        reply = _reply(request)
        try:
            with socket.socket(fileno=descriptor) as connection:
                connection.sendall(reply)
        except OSError:  # leakgate gave up waiting
            pass


def _capture_resource_warnings(path):
    """Appends each ResourceWarning to `path`: where it was raised (the line that dropped the
    last reference) and, from tracemalloc, where the unclosed object was made. Hooked at
    warnings._showwarnmsg, the one call that still carries the object (msg.source), before
    any showwarning of the daemon's own (logging.captureWarnings and the like)."""
    warnings.simplefilter("always", ResourceWarning)
    show = warnings._showwarnmsg

    def showwarnmsg(msg):
        if issubclass(msg.category, ResourceWarning):
            _tracing.deepen("a ResourceWarning")  # the next ones' "allocated at" in full
            entry = {"message": str(msg.message), "file": msg.filename, "line": msg.lineno}
            made = _tracemalloc._get_object_traceback(msg.source) if msg.source is not None else None
            if made:
                entry["allocated_at"] = _frames(made)
            try:
                with open(path, "a") as out:
                    out.write(json.dumps(entry) + "\n")
            except OSError:
                pass
        show(msg)
    warnings._showwarnmsg = showwarnmsg


def _start():
    path = os.environ.pop("LEAKGATE_PY_SOCKET", "")
    if not path:
        return
    # Forked or spawned Python children would bind the same path: only the daemon answers.
    try:
        _tracing.depth = int(os.environ.pop("LEAKGATE_PY_TRACEMALLOC", "0"))
    except ValueError:
        pass
    warnings_file = os.environ.pop("LEAKGATE_PY_WARNINGS", "")
    if warnings_file:
        _capture_resource_warnings(warnings_file)
    threading.Thread(target=_serve, args=(path,), name="leakgate-agent", daemon=True).start()


def _chain_user_sitecustomize():
    """A sitecustomize of the daemon's own, further along sys.path, still runs."""
    import importlib.machinery
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec and spec.origin and os.path.abspath(spec.origin) != os.path.abspath(__file__):
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


_start()
_chain_user_sitecustomize()
