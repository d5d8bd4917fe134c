"""A small cache of recent search results (hot queries: the front page, popular facets).

Correctness rules:
- The key is the exact multi-search body, so two searches share an entry only when the
  engine would receive identical requests.
- Time is quantized into windows of `window_s` seconds, and a query's "now" is moved to the
  END of its window: a listing that expires within the window is hidden up to `window_s`
  seconds early, never shown late, so an entry stays true for its whole window and the
  window is part of the key (old windows age out of the LRU).
- An entry is valid only for the client generation it was read under: a write this process
  waited for (outbox drain, reconcile, reindex) invalidates every entry at once. Writes by
  other processes become visible at the next window, within `window_s` seconds, which is
  within the outbox's own delay; with `shared_generation` set (the board's REDIS_URL: a
  number every process bumps after its writes) they invalidate every process's entries too.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from search.answers import HitMemo
from search.query import SearchQuery


class ResultCache:
    def __init__(self, max_entries: int = 512, window_s: int = 2):
        self.max_entries = max_entries
        self.window_s = max(1, int(window_s))
        self._entries: OrderedDict[bytes, tuple[Hashable, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0
        # Below whole results: the hits of distinct searches, which keep repeating.
        self.shaped = HitMemo()
        # Another process's writes; None from it means "cannot tell": do not use the cache.
        self.shared_generation: Callable[[], Awaitable[int | None]] | None = None

    async def generation(self, local: int) -> Hashable | None:
        """What an entry is valid for: this client's writes, and everyone's when shared."""
        if self.shared_generation is None:
            return local
        shared = await self.shared_generation()
        return None if shared is None else (local, shared)

    def windowed(self, query: SearchQuery) -> SearchQuery:
        end = (int(query.now_ts) // self.window_s + 1) * self.window_s
        confirmed = query.confirmed_after_ts
        if confirmed is not None:  # moved the same way: a listing leaves early, never late
            confirmed = (int(confirmed) // self.window_s + 1) * self.window_s
        return dataclasses.replace(query, now_ts=end, confirmed_after_ts=confirmed)

    def get(self, key: bytes, generation: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != generation:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[1]

    def put(self, key: bytes, generation: Hashable, value: Any) -> None:
        self._entries[key] = (generation, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
