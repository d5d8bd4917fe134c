"""What a page derives from a search hit that many searches share, kept per hit.

Search hits are shared between requests (search.answers.HitMemo hands out one dict per exact
engine answer for a listing, and a cached result hands out the same dicts again), so what a
page builds from a hit alone, the API's struct or the parts of a result card that do not
depend on the visitor or the clock, is built once per hit and reused while the hit is.
Keyed by the hit's identity: an entry holds the hit itself, so its id cannot be reused by
another object while the entry lives, and a changed listing arrives as a new dict. Callers
never mutate hits, a rule SearchResult already carries; a hit that gains something for one
visitor (a verdict) is a copy, and must not be remembered (each copy would be a new entry)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

V = TypeVar("V")

# Around the search hit memo's own size: a derived value outliving its hit there is only
# dead weight until it ages out here.
MAX_ENTRIES = 8192


class PerHit(Generic[V]):
    """`build(hit, extra)` once per (hit, `extra`); the least recently used entries age out."""

    def __init__(self, build: Callable[[dict[str, Any], Any], V],
                 max_entries: int = MAX_ENTRIES):
        self.build = build
        self.max_entries = max_entries
        self._entries: OrderedDict[int, tuple[dict[str, Any], Any, V]] = OrderedDict()

    def get(self, hit: dict[str, Any], extra: Any = None) -> V:
        key = id(hit)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is hit and entry[1] == extra:
            self._entries.move_to_end(key)
            return entry[2]
        value = self.build(hit, extra)
        if self.max_entries:
            self._entries[key] = (hit, extra, value)
            self._entries.move_to_end(key)
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value
