"""The reindex's feeder gets out of the engine's way: its worker threads run at a lower
priority than the thread that started them, and the garbage collector is paused only for
the fill (and left as it was found)."""

from __future__ import annotations

import gc
import os
import threading

from board.indexing.reindex import _yield_to_the_engine, collector_paused


def _niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_a_worker_thread_runs_nicer_than_its_starter_which_keeps_its_own_priority():
    before = _niceness()
    seen: list[int] = []

    def work():
        _yield_to_the_engine()
        seen.append(_niceness())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen and seen[0] > before
    assert _niceness() == before  # the starting thread (the event loop's) is untouched


def test_the_collector_is_paused_inside_and_restored_after_even_on_an_error():
    assert gc.isenabled()
    try:
        with collector_paused():
            assert not gc.isenabled()
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller's own pause is not undone
    finally:
        gc.enable()
