"""``gc_paused``: the collector is off inside, back on after, and nothing leaks.

Leaving it, the objects made inside go to the oldest generation, so switching
the collector back on does not first rescan all of them; they must still be
collectable, and a pause inside a pause must not switch it on early.
"""
from __future__ import annotations

import gc
import weakref

from workbook.load import gc_paused


class Node:
    pass


def test_paused_inside_and_restored_after():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause leaves it off
    assert gc.isenabled()


def test_young_generation_is_empty_after_a_big_pause():
    with gc_paused():
        kept = [[i] for i in range(200_000)]  # many tracked objects, as a big quarter makes
        assert gc.get_count()[0] > 100_000
    assert gc.get_count()[0] < 1_000  # promoted: enabling does not rescan them all
    assert all(gc.is_tracked(x) for x in kept[:10])
    assert gc.get_freeze_count() == 0  # nothing is left frozen for good


def test_cycles_made_while_paused_are_still_collected():
    with gc_paused():
        a, b = Node(), Node()
        a.other, b.other = b, a
        probe = weakref.ref(a)
        del a, b
    assert probe() is not None  # a cycle: reference counting alone cannot free it
    gc.collect()
    assert probe() is None


def test_collector_restored_when_the_body_raises():
    try:
        with gc_paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()
