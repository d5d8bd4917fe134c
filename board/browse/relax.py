"""No results: the specific relaxations that would find some, with their counts ("Remove
Hands-on: 54 results", "Widen to 100 miles: 12"), counted with ONE multi-search request.

Each candidate drops one active filter value (or the search words, or the eligibility
filter), or widens the distance; only those that find something are offered, most results
first, each as a plain GET link (no JavaScript needed)."""

from __future__ import annotations

import dataclasses
from typing import Any

from board.browse.labels import active_filters
from board.browse.params import PROFILE_PARAMS, ParamError, parse_search
from board.browse.view_model import url_with
from search.errors import SearchUnavailable

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


async def relaxations(gateway: Any, state: dict[str, list[str]], unlisted_after_days: int
                      ) -> list[dict[str, Any]]:
    """[{"label", "count", "url"}] of the relaxations that find listings, best first."""
    shaped = []
    for label, relaxed in candidates(state):
        try:
            query = parse_search(relaxed, unlisted_after_days=unlisted_after_days)
        except ParamError:
            continue
        shaped.append((label, relaxed, dataclasses.replace(query, page=1, per_page=1)))
    if not shaped:
        return []
    try:
        results = await gateway.run_many([q for _, _, q in shaped], facets=False)
    except SearchUnavailable:
        return []
    found = [{"label": label, "count": result.total, "url": url_with(relaxed, page=None)}
             for (label, relaxed, _), result in zip(shaped, results, strict=True)
             if result.total]
    return sorted(found, key=lambda r: -r["count"])[:MAX_SHOWN]
