"""Property: for random listings (each IMG fact stated or not) and random searches over the
issue-14 parameters (choice and list facets, cost_max, hands_on_min, fee_max, lor_offered,
sort=cost), the real Meilisearch and the in-memory mirror (search.memory) agree on the total
and every facet count, and no hit matches a limit through a value it does not state."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import uuid

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from board.core import vocab
from board.core.derived import derived_values, search_letter_fact
from board.core.search_spec import INDEX_SPEC
from board.indexing.gateway import document_from_row
from search import sync
from search.client import MeiliClient
from search.engine import run_search
from search.memory import MemoryIndex
from search.query import SearchQuery

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
C = vocab.CHOICES


def _maybe(strategy):
    return st.one_of(st.none(), strategy)


listing = st.fixed_dictionaries({
    "fee_usd": _maybe(st.sampled_from([0, 200, 1500, 4000])),
    "application_fee_usd": _maybe(st.sampled_from([0, 100])),
    "deposit_usd": _maybe(st.sampled_from([0, 899])),
    "refund_policy": _maybe(st.sampled_from(list(C["refund_policies"]))),
    "payee": _maybe(st.sampled_from(list(C["payees"]))),
    "lor_policy": _maybe(st.sampled_from(list(C["lor_policies"]))),
    "lor_offered": st.booleans(),
    "hands_on_level": _maybe(st.integers(0, 4)),
    "setting": _maybe(st.sampled_from(list(C["settings"]))),
    "open_to": _maybe(st.lists(st.sampled_from(list(C["open_to"])), min_size=1, unique=True)),
    "visa_statuses": _maybe(st.lists(st.sampled_from(list(C["visa_statuses"])), min_size=1,
                                     max_size=3, unique=True)),
})
FACETS = {"payee": "payees", "refund_policy": "refund_policies", "lor_policy": "lor_policies",
          "setting": "settings", "open_to": "open_to", "visa_statuses": "visa_statuses"}
# Each facet's values as the parameters allow them (board.browse.params rejects others).
ALLOWED = {**{f: list(C[v]) for f, v in FACETS.items()}, "lor_offered": ["true", "false"]}
selection = st.sampled_from(sorted(ALLOWED)).flatmap(lambda facet: st.tuples(
    st.just(facet), st.lists(st.sampled_from(ALLOWED[facet]), min_size=1, max_size=2,
                             unique=True)))
search = st.fixed_dictionaries({
    "selections": st.lists(selection, max_size=2).map(dict),
    "cost_max": _maybe(st.sampled_from([0, 100, 1600, 5000])),
    "hands_on_min": _maybe(st.integers(0, 4)),
    "fee_max": _maybe(st.sampled_from([0, 1500])),
    "sort": st.sampled_from(["relevance", "cost", "fee"]),
})


class Both:
    """One Meilisearch index and its in-memory mirror holding the same documents."""

    def __init__(self, url: str, key: str):
        self.loop = asyncio.new_event_loop()
        self.client = MeiliClient(url, key, timeout=10.0)
        self.uid = f"facts_{uuid.uuid4().hex[:10]}"
        self.memory = MemoryIndex(INDEX_SPEC)
        self.ids = itertools.count(1)
        self.loop.run_until_complete(sync.apply_settings(self.client, self.uid, INDEX_SPEC))

    def add(self, facts: list[dict]) -> None:
        docs = []
        for f in facts:
            row = {"id": next(self.ids), "title": "Observership", "kind": "observership",
                   "specialty": "Internal medicine", "state": "TX", "status": "published",
                   "published_at": NOW, "expires_at": NOW + dt.timedelta(days=30),
                   "intermediary_name": "Agency" if f["payee"] == "intermediary" else "",
                   **f}
            row.update(derived_values(row))
            docs.append(document_from_row(row))
        self.loop.run_until_complete(sync.upsert(self.client, self.uid, docs))
        self.loop.run_until_complete(self.memory.upsert(docs))

    def search(self, query: SearchQuery):
        engine = self.loop.run_until_complete(run_search(self.client, self.uid, query, INDEX_SPEC))
        mirror = self.loop.run_until_complete(self.memory.search(query))
        return engine, mirror

    def close(self) -> None:
        self.loop.run_until_complete(self.client.delete_index(self.uid))
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@pytest.fixture
def both(meili):
    index = Both(meili.url, meili.master_key)
    yield index
    index.close()


# No shrinking phase: each step is a round trip to the engine, and a failing example is
# printed in full anyway.
@settings(max_examples=40, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=st.lists(listing, min_size=1, max_size=3), params=search)
def test_engine_and_mirror_agree_and_not_stated_never_matches(both, facts, params):
    both.add(facts)
    selections = {k: tuple(v) for k, v in params["selections"].items()}
    query = SearchQuery(selections=selections, cost_max=params["cost_max"],
                        hands_on_min=params["hands_on_min"], fee_max=params["fee_max"],
                        sort=params["sort"], per_page=50, now_ts=int(NOW.timestamp()))
    engine, mirror = both.search(query)
    assert engine.total == mirror.total
    for facet in (*FACETS, "lor_offered"):
        assert engine.facets[facet] == mirror.facets[facet], facet
    for hit in engine.hits:
        if query.cost_max is not None:
            assert hit["total_cost_usd"] is not None and hit["total_cost_usd"] <= query.cost_max
        if query.hands_on_min is not None:
            assert hit["hands_on_level"] is not None and hit["hands_on_level"] >= query.hands_on_min
        if query.fee_max is not None:
            assert hit["fee_usd"] is not None
        if selections.get("lor_offered") == ("false",):
            assert search_letter_fact(hit) is False and hit["lor_policy"] == "none"
    if query.sort == "cost" and engine.total <= 50:
        costs = [h["total_cost_usd"] for h in engine.hits]
        stated = [c for c in costs if c is not None]
        assert costs == sorted(stated) + [None] * (len(costs) - len(stated))  # not stated last
        assert [h["total_cost_usd"] for h in mirror.hits] == costs
