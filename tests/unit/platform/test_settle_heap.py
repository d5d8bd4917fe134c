"""A served process (create_app(settle_heap=True): `board serve`, the bench server) moves
what start-up loaded out of the garbage collector's reach and collects the young generation
less often. Run in a child process: freezing the test process's heap would change every
later test's collections."""

from __future__ import annotations

import subprocess
import sys

from board.app import GC_YOUNG_THRESHOLD

PROBE = """
import gc
from board.app import _settle_heap
before = gc.get_threshold()
_settle_heap()
print(before[0], *gc.get_threshold(), gc.get_freeze_count())
"""


def test_settled_heap_is_frozen_and_collected_less_often():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    default, young, middle, old, frozen = map(int, out)
    assert default == 700 and young == GC_YOUNG_THRESHOLD > default
    assert (middle, old) == (10, 10)  # the older generations keep Python's ratios
    assert frozen > 10_000  # modules, the app's code, the compiled search page
