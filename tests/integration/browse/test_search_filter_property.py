"""The filter builder against the real Meilisearch with hostile values: quotes, backslashes, a
trailing backslash, AND/OR/NOT, newlines, emoji. The exact-match clause finds exactly the
one document holding the value, and an injection attempt matches nothing. (Quoting alone:
tests/unit/browse/test_search_filters.py.)"""

from __future__ import annotations

import asyncio
import itertools
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board.core.search_spec import INDEX_SPEC
from search import sync
from search.client import MeiliClient
from search.query import facet_clause

PIECES = ['"', "\\", "'", " AND ", " OR ", " NOT ", "\n", "\r\n", "\t", "😀", "🇺🇸", "é", "x",
          "NY", " = ", "(", ")", " TO ", " EXISTS", " IS NULL", "[", "]", ",", "_geoRadius("]
hostile = st.one_of(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join),
    st.text(min_size=1, max_size=24),
)


class Index:
    """A fresh index in the session's Meilisearch, driven from a private event loop (the
    hypothesis examples run synchronously)."""

    def __init__(self, url: str, key: str):
        self.loop = asyncio.new_event_loop()
        self.client = MeiliClient(url, key, timeout=10.0)
        self.uid = f"prop_{uuid.uuid4().hex[:10]}"
        self.ids = itertools.count(1)
        self.run(sync.apply_settings(self.client, self.uid, INDEX_SPEC))

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def add(self, docs: list[dict]) -> None:
        self.run(sync.upsert(self.client, self.uid, docs))

    def matching(self, clause: str) -> list[dict]:
        results = self.run(self.client.multi_search([{
            "indexUid": self.uid, "q": "", "filter": [clause], "limit": 100,
            "attributesToRetrieve": ["id", "specialty"]}]))
        return results[0]["hits"]

    def close(self) -> None:
        self.run(self.client.delete_index(self.uid))
        self.run(self.client.aclose())
        self.loop.close()


@pytest.fixture
def index(meili):
    idx = Index(meili.url, meili.master_key)
    yield idx
    idx.close()


def test_injection_matches_nothing(index):
    index.add([{"id": next(index.ids), "specialty": "x", "state": "NY"},
               {"id": next(index.ids), "specialty": "y", "state": "NY"}])
    assert index.matching(facet_clause("specialty", ('x" OR state = "NY',), INDEX_SPEC)) == []
    assert index.matching(facet_clause("specialty", ('x\\" OR state = "NY',), INDEX_SPEC)) == []
    assert [h["specialty"] for h in index.matching(facet_clause("specialty", ("x",), INDEX_SPEC))] == ["x"]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile)
def test_hostile_value_finds_exactly_its_document(index, value):
    # A unique prefix keeps examples apart (Meilisearch compares strings case-insensitively);
    # the decoys differ from the value by one dangerous character each.
    n = next(index.ids)
    target = f"v{n}:{value}"
    decoys = [target + '"', target + "\\", '"' + target, target[:-1] + "\\" + target[-1]]
    docs = [{"id": n * 10, "specialty": target, "state": "NY"}]
    docs += [{"id": n * 10 + i + 1, "specialty": d, "state": "NY"}
             for i, d in enumerate(decoys) if d != target]
    index.add(docs)
    hits = index.matching(facet_clause("specialty", (target,), INDEX_SPEC))
    assert [h["id"] for h in hits] == [n * 10]
    # Every document is in NY: a clause that escaped its quotes would match them all.
    assert index.matching(facet_clause("specialty", (target + '" OR state = "NY',), INDEX_SPEC)) == []
    assert index.matching(facet_clause("specialty", (target + '\\" OR state = "NY',), INDEX_SPEC)) == []
