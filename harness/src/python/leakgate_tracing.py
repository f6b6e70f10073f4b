"""When leakgate's Python agent (sitecustomize.py) traces allocations, and how deep.

tracemalloc starts with leakgate's baseline snapshot, not at start-up: tracing the imports
made http.server's start 1.5 s instead of 0.13 s, and what an import or the warm-up makes is
the baseline anyway (never growth; its blocks are not traced, so not in "heap" either).

It then keeps one frame per allocation until something grows, and the configured depth from
then on. Depth is what names the daemon's own line beneath a library's (an Engine is made
deep inside create_engine) and what tracing costs: a request to http.server took 3.1 ms more
CPU at depth 8, about 1 ms at depth 1. "Grows" is what a leak does and noise does not keep doing:
a type (builtin containers aside: they get no sites) sets a new high above its baseline count
a third time, or the daemon raises a ResourceWarning (its "allocated at" needs the depth).
The first objects of a leak keep their one frame; the ones made after the switch, most of a
run's, have the full traceback.

tracemalloc has no call to change the depth while it traces; Python 3.11 exports the limit
(_Py_tracemalloc_config.max_nframe) and sized the traceback buffer for the depth it started
with, so it is lowered and raised back in place, never above that. Elsewhere (3.12 keeps it in
_PyRuntime), or if the exported values do not read as expected, the full depth from the start.
"""

import sys
import _tracemalloc  # what tracemalloc.py re-exports, without its 4 ms of imports (pickle)


def _exported_config():
    """_Py_tracemalloc_config as three ints: initialized, tracing, max_nframe (3.11)."""
    if sys.version_info[:2] != (3, 11):
        return None
    try:
        import ctypes
        return (ctypes.c_int * 3).in_dll(ctypes.pythonapi, "_Py_tracemalloc_config")
    except (ImportError, ValueError, AttributeError):
        return None


# Objects in flight (a request's handler, its buffers) make a count differ by one or two
# between snapshots: two new highs and no more (http.server: _io.BufferedReader 1, 2, 3).
_NEW_HIGHS = 3


class Tracing:
    def __init__(self, depth):
        self.depth = depth
        self.deepened_by = None  # why the full depth was taken up, once it was
        self._config = None      # set while tracing runs at one frame
        self._baseline = None
        self._high = {}
        self._new_highs = {}

    def start(self):
        if not self.depth or _tracemalloc.is_tracing():
            return
        config = _exported_config() if self.depth > 1 else None  # ctypes imported untraced
        _tracemalloc.start(self.depth)
        if config is not None and config[1] == 1 and config[2] == _tracemalloc.get_traceback_limit():
            config[2] = 1
            self._config = config

    def limit(self):
        return _tracemalloc.get_traceback_limit() if _tracemalloc.is_tracing() else 0

    def deepen(self, reason):
        if self._config is not None:
            self._config[2] = self.depth
            self._config = None
            self.deepened_by = reason

    def watch(self, counts):
        """Live objects per type name at a snapshot; the first one is the baseline."""
        if self._config is None:
            return
        if self._baseline is None:
            self._baseline = dict(counts)
            self._high = dict(counts)
            return
        for name, count in counts.items():
            if count <= self._high.get(name, 0) or name.startswith("builtins."):
                continue
            self._high[name] = count
            self._new_highs[name] = self._new_highs.get(name, 0) + 1
            if self._new_highs[name] >= _NEW_HIGHS:
                self.deepen("%s rose to %d live (baseline %d)" %
                            (name, count, self._baseline.get(name, 0)))
                return
