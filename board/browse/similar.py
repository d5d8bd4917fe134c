"""Similar open listings, for a listing a visitor cannot use (not reconfirmed, removed, or an
unknown address): the same specialty in the same state, then the same specialty anywhere,
then the newest listings, so a dead end always offers a way on. Best effort: without the
search engine the page still renders, just without suggestions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from board.browse.params import parse_search
from search.errors import SearchUnavailable

LIMIT = 3


def _searches(row: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The searches to try, narrowest first (freshest confirmation first within each)."""
    wanted: list[dict[str, Any]] = []
    if row and row.get("specialty"):
        if row.get("state"):
            wanted.append({"specialty": [row["specialty"]], "state": [row["state"]],
                           "sort": "confirmed"})
        wanted.append({"specialty": [row["specialty"]], "sort": "confirmed"})
    wanted.append({"sort": "newest"})
    return wanted


async def similar_open(gateway: Any, row: Mapping[str, Any] | None, unlisted_days: int,
                       limit: int = LIMIT) -> list[dict[str, Any]]:
    """Up to `limit` open hits like `row` (None: an unknown listing), never `row` itself."""
    own = row.get("id") if row else None
    found: dict[int, dict[str, Any]] = {}
    try:
        for params in _searches(row):
            query = parse_search({**params, "per_page": str(limit + 1)},
                                 unlisted_after_days=unlisted_days)
            for hit in (await gateway.search(query)).hits:
                if hit["id"] != own and len(found) < limit:
                    found.setdefault(hit["id"], hit)
            if len(found) >= limit:
                break
    except SearchUnavailable:
        pass
    return list(found.values())
