"""Relaxations that drop facet values are counted from the failed search's own disjunctive
counts; anything else (other words, a list facet keeping values) still needs a search."""

from __future__ import annotations

import dataclasses

from board.browse.relax import _known_total
from search.engine import SearchResult
from search.query import SearchQuery

QUERY = SearchQuery(q="cardio", selections={"state": ("TX", "IL"), "hands_on": ("true",),
                                             "visa_statuses": ("b1b2", "j1")}, now_ts=100)
RESULT = SearchResult(
    hits=[], total=0, page=1, per_page=20, pages=0, took_ms=1, facet_stats={},
    facets={"state": {"TX": 0, "IL": 0, "NY": 7}, "hands_on": {"true": 0, "false": 4},
            "visa_statuses": {"b1b2": 3, "j1": 2}},
    facet_totals={"state": 7, "hands_on": 4, "visa_statuses": 0})


def _drop(facet: str, *keep: str) -> SearchQuery:
    return dataclasses.replace(QUERY, selections={**QUERY.selections, facet: keep},
                               now_ts=105)  # parsed a moment later: still the same search


def test_dropping_a_whole_facet_is_its_disjunctive_total() -> None:
    assert _known_total(_drop("state"), QUERY, RESULT) == 7
    assert _known_total(_drop("hands_on"), QUERY, RESULT) == 4


def test_dropping_one_value_of_a_single_valued_facet_sums_the_rest() -> None:
    assert _known_total(_drop("state", "IL"), QUERY, RESULT) == 0
    with_counts = dataclasses.replace(RESULT, facets={**RESULT.facets,
                                                      "state": {"TX": 2, "IL": 5}})
    assert _known_total(_drop("state", "IL"), QUERY, with_counts) == 5


def test_what_the_counts_cannot_answer_needs_a_search() -> None:
    assert _known_total(_drop("visa_statuses", "j1"), QUERY, RESULT) is None  # lists overlap
    assert _known_total(dataclasses.replace(QUERY, q=""), QUERY, RESULT) is None
    assert _known_total(dataclasses.replace(_drop("state"), fee_max=0), QUERY, RESULT) is None
    assert _known_total(_drop("state", "IL", "NY"), QUERY, RESULT) is None  # not a subset
    assert _known_total(_drop("kind", "research"), QUERY, RESULT) is None  # not searched
