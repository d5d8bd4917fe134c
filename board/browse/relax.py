"""No results: the specific relaxations that would find some, with their counts ("Remove
Hands-on: 54 results", "Widen to 100 miles: 12"), counted with at most ONE multi-search
request: dropping a facet value is counted from the failed search's own facet counts.

Each candidate drops one active filter value (or the search words, or the eligibility
filter), or widens the distance; only those that find something are offered, most results
first, each as a plain GET link (no JavaScript needed)."""

from __future__ import annotations

import dataclasses
from typing import Any

from board.browse.labels import active_filters
from board.browse.params import PROFILE_PARAMS, ParamError, parse_search
from board.browse.view_model import url_with
from board.core.fields import BY_NAME
from search.engine import SearchResult
from search.errors import SearchUnavailable
from search.query import SearchQuery

RADII = (10, 25, 50, 100, 250, 500)
MAX_CANDIDATES = 8
MAX_SHOWN = 4


def candidates(state: dict[str, list[str]]) -> list[tuple[str, dict[str, list[str]]]]:
    """(label, the search with one thing relaxed) for every relaxation worth counting."""
    out: list[tuple[str, dict[str, list[str]]]] = []
    base = {k: v for k, v in state.items() if k != "page"}
    if base.get("q"):
        out.append((f"Remove the words \u201c{base['q'][0]}\u201d", _without(base, "q")))
    if base.get("near"):
        given = (base.get("radius_miles") or ["50"])[0]
        radius = int(given) if given.isdigit() and len(given) < 4 else 50
        for wider in [r for r in RADII if r > radius][:2]:
            out.append((f"Widen to {wider} miles", {**base, "radius_miles": [str(wider)]}))
    for name, value, label in active_filters(base):
        if name in {"q", "radius_miles", "eligible_only", *PROFILE_PARAMS}:
            continue  # the words and the distance above; the profile is the visitor's own
        rest = [v for v in base[name] if v != value]
        relaxed = {**base, name: rest} if rest else _without(base, name)
        if name == "near":
            relaxed = _without(relaxed, "radius_miles")
            label = "Search anywhere in the US"
        else:
            label = f"Remove {label}"
        out.append((label, relaxed))
    eligible_only = (base.get("eligible_only") or ["true"])[0] != "false"
    if eligible_only and any(base.get(p) for p in PROFILE_PARAMS):
        out.append(("Also show listings you may not be eligible for",
                    {**base, "eligible_only": ["false"]}))
    return out[:MAX_CANDIDATES]


def _without(state: dict[str, list[str]], name: str) -> dict[str, list[str]]:
    return {k: v for k, v in state.items() if k != name}


async def relaxations(gateway: Any, state: dict[str, list[str]], unlisted_after_days: int,
                      searched: tuple[SearchQuery, SearchResult] | None = None
                      ) -> list[dict[str, Any]]:
    """[{"label", "count", "url"}] of the relaxations that find listings, best first.
    `searched`: the search that found nothing and its result, whose disjunctive counts
    already hold what dropping one of its facet values finds (no search needed for those)."""
    counted: list[tuple[str, dict[str, list[str]], int]] = []
    shaped = []
    for label, relaxed in candidates(state):
        try:
            query = parse_search(relaxed, unlisted_after_days=unlisted_after_days)
        except ParamError:
            continue
        known = _known_total(query, *searched) if searched else None
        if known is not None:
            counted.append((label, relaxed, known))
        else:
            # Only its count is shown: no hit to fetch and no order to sort them in (the
            # engine then stops ranking early), the same total.
            shaped.append((label, relaxed, dataclasses.replace(query, page=1, per_page=0,
                                                               sort="relevance")))
    if shaped:
        try:
            results = await gateway.run_many([q for _, _, q in shaped], facets=False)
        except SearchUnavailable:
            results = []  # offer what the facet counts found
        counted += [(label, relaxed, result.total)
                    for (label, relaxed, _), result in zip(shaped, results, strict=False)]
    found = [{"label": label, "count": total, "url": url_with(relaxed, page=None)}
             for label, relaxed, total in counted if total]
    return sorted(found, key=lambda r: -r["count"])[:MAX_SHOWN]


def _known_total(relaxed: SearchQuery, query: SearchQuery, result: SearchResult) -> int | None:
    """The total of `relaxed` when it is `query` with values dropped from one selected facet:
    that facet's disjunctive query counted every value under all the other filters (exactly:
    a page count, not an estimate). None when it takes a search (a list facet keeps some
    values: a listing may hold several, so their counts overlap)."""
    changed = [f for f in {*query.selections, *relaxed.selections}
               if query.selected(f) != relaxed.selected(f)]
    if len(changed) != 1 or changed[0] not in result.facet_totals:
        return None
    facet = changed[0]
    same_otherwise = dataclasses.replace(
        relaxed, selections=query.selections, page=query.page, per_page=query.per_page,
        now_ts=query.now_ts, confirmed_after_ts=query.confirmed_after_ts) == query
    rest = relaxed.selected(facet)
    if not same_otherwise or not set(rest) <= set(query.selected(facet)):
        return None
    if not rest:
        return result.facet_totals[facet]
    if BY_NAME[facet].is_list:
        return None
    counts = result.facets.get(facet, {})
    return sum(counts.get(value, 0) for value in rest)
