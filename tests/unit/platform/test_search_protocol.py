"""Both SearchIndex implementations offer exactly the protocol's calls. (That `search/` is a
leaf, importing nothing of `board` or `jobs`, is enforced with the other import rules in
test_import_rules.py.)"""

from __future__ import annotations

import inspect

from search.index import SearchIndex
from search.meili_index import MeiliIndex
from search.memory import MemoryIndex


def test_both_indexes_have_the_protocols_signatures():
    calls = [n for n, v in vars(SearchIndex).items() if inspect.iscoroutinefunction(v)]
    assert {"search", "run_many", "facet_values", "upsert", "delete"} <= set(calls)
    for impl in (MeiliIndex, MemoryIndex):
        for name in calls:
            assert inspect.signature(getattr(impl, name)) == inspect.signature(
                getattr(SearchIndex, name)), (impl.__name__, name)
