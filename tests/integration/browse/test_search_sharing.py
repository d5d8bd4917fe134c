"""Searches that share a multi-search request (search.coalesce) against the real Meilisearch:
each caller gets exactly the answer it would have had alone, typed decoding included, and a
query the engine refuses fails only its own search. (The rule itself, who waits and when:
tests/unit/browse/test_search_coalesce.py.)"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from board.core.search_spec import INDEX_SPEC
from search import sync
from search.client import MeiliClient
from search.engine import run_search
from search.errors import MeiliError
from search.query import SearchQuery

STATES = ["NY", "CA", "TX", "OH", "IL"]
SPECIALTIES = ["Internal Medicine", "Pediatrics", "Neurology", "Psychiatry"]


@pytest.fixture
async def index(meili):
    client = MeiliClient(meili.url, meili.master_key, timeout=10.0)
    uid = f"share_{uuid.uuid4().hex[:10]}"
    await sync.apply_settings(client, uid, INDEX_SPEC)
    docs = [{"id": n, "title": f"{SPECIALTIES[n % 4]} observership {n}", "status": "published",
             "state": STATES[n % 5], "specialty": SPECIALTIES[n % 4],
             "kind": "observership" if n % 3 else "research", "expires_at_ts": 4_000_000_000,
             "confirmed_at_ts": 4_000_000_000, "published_at_ts": n}
            for n in range(1, 61)]
    await sync.upsert(client, uid, docs)
    yield meili, uid
    await client.delete_index(uid)
    await client.aclose()


def _queries() -> list[SearchQuery]:
    out = []
    for n, state in enumerate(STATES):
        out.append(SearchQuery(q="observership", selections={"state": (state,)}, now_ts=1))
        out.append(SearchQuery(selections={"state": (state, STATES[n - 1]),
                                           "specialty": (SPECIALTIES[n % 4],)},
                               sort="newest", now_ts=1))
    return out


def _seen(result) -> tuple:
    return (result.total, [h["id"] for h in result.hits], result.facets, result.facet_totals)


async def test_shared_requests_answer_each_search_as_alone(index):
    meili, uid = index
    alone = MeiliClient(meili.url, meili.master_key, timeout=10.0)
    shared = MeiliClient(meili.url, meili.master_key, timeout=10.0, share_searches=1)
    try:
        queries = _queries()
        expected = [_seen(await run_search(alone, uid, q, INDEX_SPEC)) for q in queries]
        got = await asyncio.gather(*(run_search(shared, uid, q, INDEX_SPEC) for q in queries))
        assert [_seen(r) for r in got] == expected
        assert any(total for total, *_ in expected)  # the searches do find listings
        # All ten were asked at once: the first went alone, the other nine shared requests.
        assert shared.coalescer.shared >= 1 and shared.coalescer.requests < len(queries)
    finally:
        await alone.aclose()
        await shared.aclose()


async def test_a_refused_query_fails_only_its_own_search(index):
    meili, uid = index
    shared = MeiliClient(meili.url, meili.master_key, timeout=10.0, share_searches=1)
    try:
        good = {"indexUid": uid, "q": "", "filter": ['state = "NY"'], "limit": 100}
        # `title` is not filterable: the engine refuses the whole request that holds it.
        bad = {"indexUid": uid, "q": "", "filter": ['title = "x"'], "limit": 1}
        results = await asyncio.gather(
            shared.multi_search([good]), shared.multi_search([good]),
            shared.multi_search([bad]), shared.multi_search([good, good]),
            return_exceptions=True)
        assert isinstance(results[2], MeiliError) and results[2].status == 400
        for answer in (results[0], results[1], *results[3]):
            hits = answer[0]["hits"] if isinstance(answer, list) else answer["hits"]
            assert sorted(h["id"] for h in hits) == list(range(5, 61, 5))
    finally:
        await shared.aclose()
