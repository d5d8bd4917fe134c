"""The cache of hot searches: answers repeat searches from memory, and never shows a result
that a finished index write (publish, close) or the clock (expiry) has made wrong."""

from __future__ import annotations

import datetime as dt

from board.indexing.gateway import utcnow
from board.listings import services as listings
from search.query import SearchQuery, base_clauses
from search.result_cache import ResultCache
from tests.support.factories import make_institution, make_listing
from tests.support.outbox import drain_all

API = "/api/v1/opportunities"


def test_window_moves_now_to_the_end_of_its_window():
    cache = ResultCache(window_s=10)
    for now in (1000, 1001, 1009):
        windowed = cache.windowed(SearchQuery(now_ts=now))
        assert windowed.now_ts == 1010
        # Hidden up to a window early, never shown after its expiry.
        assert "expires_at_ts > 1010" in base_clauses(windowed)
    assert cache.windowed(SearchQuery(now_ts=1010)).now_ts == 1020


def test_entries_belong_to_one_generation_and_the_lru_is_bounded():
    cache = ResultCache(max_entries=2)
    cache.put(b"a", 0, "A")
    assert cache.get(b"a", 0) == "A"
    assert cache.get(b"a", 1) is None  # a write finished since: stale
    cache.put(b"b", 0, "B")
    cache.get(b"a", 0)
    cache.put(b"c", 0, "C")  # evicts the least recently used ("b")
    assert cache.get(b"b", 0) is None and cache.get(b"a", 0) == "A" and cache.get(b"c", 0) == "C"


async def test_repeat_searches_hit_and_writes_invalidate(client, runtime):
    # A long window: only the generation can make these searches see the writes.
    cache = runtime.gateway.cache = ResultCache(window_s=3600)
    inst = await make_institution()
    first = await make_listing(inst, title="Psychiatry observership", specialty="Psychiatry",
                               now=utcnow() - dt.timedelta(hours=1))
    await drain_all(runtime.gateway)
    params = {"specialty": "Psychiatry", "sort": "newest"}
    before = (await client.get(API, params=params)).json()
    hits = cache.hits
    again = (await client.get(API, params=params)).json()
    assert cache.hits == hits + 1 and again["total"] == before["total"] == 1

    second = await make_listing(inst, title="Psychiatry research", specialty="Psychiatry",
                                kind="research")
    await drain_all(runtime.gateway)
    after = (await client.get(API, params=params)).json()
    assert [h["id"] for h in after["hits"]] == [second, first]

    await listings.close(first)
    await drain_all(runtime.gateway)
    closed = (await client.get(API, params=params)).json()
    assert [h["id"] for h in closed["hits"]] == [second]
    page = await client.get("/", params=params)
    assert f'href="/opportunities/{first}"' not in page.text
