"""The in-memory SearchIndex (no server): filters, sorts, pagination and disjunctive facet
counts behave as the engine's for the simple cases, and it satisfies the protocol."""

from __future__ import annotations

import datetime as dt

import pytest

from board.core.search_spec import INDEX_SPEC
from board.digests.queries import search_groups
from search.documents import build_document
from search.index import SearchIndex
from search.memory import MemoryIndex
from search.query import SearchQuery

NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
NOW_TS = int(NOW.timestamp())


def _doc(doc_id: int, days_ago: int, **kw) -> dict:
    row = {"id": doc_id, "title": f"Listing {doc_id}", "kind": "observership",
           "specialty": "Internal medicine", "state": "TX", "city": "Houston",
           "institution_name": "Houston General", "status": "published", "fee_usd": 0,
           "published_at": NOW - dt.timedelta(days=days_ago),
           "expires_at": NOW + dt.timedelta(days=30), **kw}
    return build_document(row, INDEX_SPEC.bool_fields)


@pytest.fixture
def index() -> MemoryIndex:
    return MemoryIndex(INDEX_SPEC, [
        _doc(1, 5, state="NY", fee_usd=500, title="Cardiology observership"),
        _doc(2, 1, state="CA", hands_on=True, application_deadline=(NOW + dt.timedelta(days=3)).date()),
        _doc(3, 3, state="TX", kind="research", application_deadline=(NOW + dt.timedelta(days=9)).date()),
        _doc(4, 2, state="NY", status="draft"),
        _doc(5, 4, state="NY", expires_at=NOW - dt.timedelta(days=1)),
    ])


def _q(**kw) -> SearchQuery:
    return SearchQuery(now_ts=NOW_TS, **kw)


async def test_only_visible_listings_and_hits_in_the_page_shape(index):
    result = await index.search(_q())
    assert sorted(h["id"] for h in result.hits) == [1, 2, 3] and result.total == 3
    hit = next(h for h in result.hits if h["id"] == 1)
    assert hit["institution"] == {"name": "Houston General", "verified": False}
    assert hit["highlight"]["title"] == "Cardiology observership" and hit["distance_miles"] is None


async def test_facet_selection_is_an_in_filter_and_counts_are_disjunctive(index):
    result = await index.search(_q(selections={"state": ("NY", "CA")}))
    assert sorted(h["id"] for h in result.hits) == [1, 2]
    assert result.facets["state"] == {"NY": 1, "CA": 1, "TX": 1}  # its own selection ignored
    assert result.facets["kind"] == {"observership": 2}
    assert result.facets["hands_on"] == {"true": 1, "false": 1}
    both = await index.search(_q(selections={"state": ("NY", "CA"), "hands_on": ("true",)}))
    assert [h["id"] for h in both.hits] == [2]


async def test_sorts_filters_and_pagination(index):
    newest = await index.search(_q(sort="newest"))
    assert [h["id"] for h in newest.hits] == [2, 3, 1]
    deadline = await index.search(_q(sort="deadline"))
    assert [h["id"] for h in deadline.hits] == [2, 3, 1]  # no deadline last
    assert [h["id"] for h in (await index.search(_q(fee_max=0))).hits] == [2, 3]
    window = _q(deadline_from_ts=NOW_TS, deadline_to_ts=NOW_TS + 5 * 86400)
    assert [h["id"] for h in (await index.search(window)).hits] == [2]
    since = _q(published_after_ts=(NOW - dt.timedelta(days=4)).timestamp())
    assert sorted(h["id"] for h in (await index.search(since)).hits) == [2, 3]
    page2 = await index.search(_q(sort="newest", page=2, per_page=2))
    assert [h["id"] for h in page2.hits] == [1] and page2.pages == 2 and page2.total == 3
    assert [h["id"] for h in (await index.search(_q(q="cardio"))).hits] == [1]


async def test_run_many_upsert_delete_and_facet_values(index):
    first, second = await index.run_many([_q(selections={"state": ("TX",)}), _q(q="nothing")],
                                         facets=False)
    assert [h["id"] for h in first.hits] == [3] and first.facets["state"] == {}
    assert second.total == 0 and second.hits == []
    await index.upsert([_doc(6, 0, state="NJ")])
    await index.delete([1])
    assert sorted(h["id"] for h in (await index.search(_q())).hits) == [2, 3, 6]
    assert await index.facet_values(_q(), "state", "n") == {"NJ": 1}
    with pytest.raises(ValueError):
        await index.facet_values(_q(), "title", "x")


def test_it_is_a_search_index():
    implementation: SearchIndex = MemoryIndex(INDEX_SPEC)
    assert implementation is not None


async def test_the_digest_searches_through_any_search_index(index):
    since = NOW - dt.timedelta(days=4)
    ok, broken = await search_groups(index, [({"state": ["CA", "TX"]}, since),
                                             ({"state": ["ZZ"]}, since)], NOW)
    assert [h["id"] for h in ok.new] == [2, 3] and set(ok.published) == {2, 3}
    assert [h["id"] for h in ok.closing] == [2, 3]  # deadlines in 3 and 9 days
    assert ok.new[0]["institution"]["name"] == "Houston General"  # the search page's hit shape
    assert broken.error.startswith("state")
