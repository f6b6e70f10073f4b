"""Live objects per type after a full collection, without collecting the baseline each time.

A full collection and a count of every tracked object cost http.server ~9 ms a snapshot
(17,000 objects, nearly all made at start-up). So after an exact count the agent freezes what
is live (gc.freeze: the collector skips the permanent generation, gc.get_objects does not list
it) and a later snapshot collects and counts only what was made since, adding the frozen
counts: about 1 ms. For that sum to stay exact, the agent holds each frozen object and, at a
snapshot, lets go of those only it still holds (sys.getrefcount), taking them off the frozen
counts, in passes (a list let go of leaves its items to the agent alone). Should a frozen object be freed all the same, or the daemon freeze or thaw
itself (gc.get_freeze_count differs), the set is thawed, everything collected and counted
again (the old cost, once), and frozen anew.

What this changes in the daemon, bounded to objects live at the last exact count: one the
daemon drops is freed at the next snapshot instead of at once (its __del__, weakref callbacks
and memory wait for it), and one that becomes cyclic garbage waits for the next thaw (an
exact count, the final snapshot, the sites request) and is counted meanwhile: a step, never a
slope. Its own automatic collections skip the frozen set (cheaper for it); a forked child
thaws at once, so its collector sees everything.
"""

import gc
import os
import sys


def tally(objects):
    """Objects per type object. Tallied in lists: tracemalloc traces every int an increment
    makes past 256 (http.server's 19000 objects under tracemalloc: collections.Counter
    0.065 s, lists 0.009 s)."""
    marks = {}
    for kind in map(type, objects):
        try:
            marks[kind].append(None)
        except KeyError:
            marks[kind] = [None]
    return {kind: len(kept) for kind, kept in marks.items()}


# sys.getrefcount of an object only the held list refers to, as the passes call it (2 on
# 3.11: the list, the call's argument); measured, as interpreters count borrowed references
# differently.
_ONLY_HELD = list(map(sys.getrefcount, [object()]))[0]
# Our own objects that an exact count freezes with the daemon's: the held list, the counts.
_OURS_FROZEN = 2


class LiveObjects:
    def __init__(self):
        self._frozen = None      # type -> objects frozen at the last exact count; None: thawed
        self._frozen_size = 0    # gc.get_freeze_count() while no frozen object was freed
        self._held = []          # the frozen objects, while frozen
        self.exact_counts = 0    # snapshots that collected and counted everything

    def count(self, before_collection=None, final=False):
        """Type object -> live objects after a full collection. `before_collection(objects)`
        runs first, on the objects not frozen (the agent's asyncio loops are found there).
        `final`: everything is collected and counted, and stays thawed."""
        if not final and self._frozen is not None:
            self._let_go_of_dropped()
        # The count also changes if the daemon calls gc.freeze or gc.unfreeze itself.
        if final or self._frozen is None or gc.get_freeze_count() != self._frozen_size:
            return self._count_everything(before_collection, freeze=not final)
        if before_collection is not None:
            before_collection(gc.get_objects())
        gc.collect()
        live = tally(gc.get_objects())
        for kind, frozen in self._frozen.items():
            if frozen:
                live[kind] = live.get(kind, 0) + frozen
        return live

    def retained_bytes(self):
        """What the agent keeps while frozen (the held list, the frozen counts), about as
        tracemalloc traced it (~130 KB for http.server): not the daemon's heap, and gone
        from a final snapshot's, which is thawed."""
        if self._frozen is None:
            return 0
        return sys.getsizeof(self._held) + sys.getsizeof(self._frozen)

    def thaw(self):
        if self._frozen is not None:
            self._held.clear()
            gc.unfreeze()
            self._frozen = None

    def _let_go_of_dropped(self):
        """Passes over the held objects until none is held by the agent alone. (A dict of
        them by id, for a pass over only what the dropped ones referred to, cost 13 ms at
        each exact count: tracemalloc traces each id's int.)"""
        held = self._held
        while True:
            refcounts = list(map(sys.getrefcount, held))
            if _ONLY_HELD not in refcounts:
                return
            at = refcounts.index(_ONLY_HELD)  # not enumerate: an int per object, traced
            while True:
                kind = type(held[at])
                if kind in self._frozen:
                    self._frozen[kind] -= 1
                    self._frozen_size -= 1
                else:  # its __class__ was set since: count everything again
                    self._frozen_size = -1
                try:
                    at = refcounts.index(_ONLY_HELD, at + 1)
                except ValueError:
                    break
            # The list stays (it is frozen itself): the dropped ones are freed here.
            held[:] = [obj for obj, refcount in zip(held, refcounts) if refcount != _ONLY_HELD]

    def _count_everything(self, before_collection, freeze):
        self.thaw()
        self.exact_counts += 1
        if before_collection is not None:
            before_collection(gc.get_objects())
        gc.collect()
        objects = gc.get_objects()
        live = tally(objects)
        if not freeze:
            return live
        self._held = objects
        del objects
        # Nothing of ours but `live` and the held list (kept while frozen) is tracked and
        # alive here: a temporary frozen now and freed later would look like a freed object.
        gc.freeze()
        self._frozen = live
        self._frozen_size = gc.get_freeze_count()
        if self._frozen_size != len(self._held) + _OURS_FROZEN:
            # Another thread made objects while these were counted: frozen, they would be
            # counted by no later snapshot. Thawed, the next one counts everything again.
            self.thaw()
        return dict(live)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=gc.unfreeze)
