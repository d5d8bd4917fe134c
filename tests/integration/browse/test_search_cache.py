"""The cache of hot searches: answers repeat searches from memory, and never shows a result
that a finished index write (publish, close) or the clock (expiry) has made wrong. (Its
windows and generations alone: tests/unit/browse/test_search_filters.py.)"""

from __future__ import annotations

import datetime as dt

from board.indexing.gateway import utcnow
from board.listings import services as listings
from search.result_cache import ResultCache
from tests.support.factories import make_institution, make_listing
from tests.support.outbox import drain_all

API = "/api/v1/opportunities"


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
