"""The digest's searches: for each distinct filter set, the listings published since a moment
(newest first) and the matching listings whose deadline falls within CLOSING_SOON_DAYS.

Both queries of many filter sets go through the search adapter's batched call (`run_many`,
one multi-search request per batch, no facet counts), so the job's cost grows with the number
of distinct filter sets (not of subscribers), and the hits have the search page's shape."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from board.browse.params import ParamError, parse_search
from board.listings.status import CLOSING_SOON_DAYS
from search.index import SearchIndex
from search.query import SearchQuery

NEW_LIMIT = 200
CLOSING_LIMIT = 20
GROUPS_PER_REQUEST = 50


@dataclass
class GroupResult:
    new: list[dict[str, Any]]  # search hits, newest first
    closing: list[dict[str, Any]]  # search hits, soonest deadline first
    error: str = ""
    published: dict[int, int] = field(default_factory=dict)  # id -> published_at (Unix) of `new`


def published_ts(hit: Mapping[str, Any]) -> int:
    value = hit.get("published_at")
    if not value:
        return 0
    return int(dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp())


def queries_for(filters: Mapping[str, Any], since: dt.datetime, now: dt.datetime,
                unlisted_after_days: int | None = None) -> tuple[SearchQuery, SearchQuery]:
    # A listing that left search for want of a reconfirmation is not mailed either.
    extra = {"unlisted_after_days": unlisted_after_days} if unlisted_after_days else {}
    base = parse_search(filters, now=now, strict=False, **extra)
    today = dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC)
    new = dataclasses.replace(base, sort="newest", page=1, per_page=NEW_LIMIT,
                              published_after_ts=since.timestamp())
    closing = dataclasses.replace(
        base, sort="deadline", page=1, per_page=CLOSING_LIMIT,
        deadline_from_ts=int(today.timestamp()),
        deadline_to_ts=int((today + dt.timedelta(days=CLOSING_SOON_DAYS)).timestamp()))
    return new, closing


async def search_groups(index: SearchIndex,
                        groups: Sequence[tuple[Mapping[str, Any], dt.datetime]],
                        now: dt.datetime, unlisted_after_days: int | None = None
                        ) -> list[GroupResult]:
    """One GroupResult per (filters, since), in order; a filter set that no longer parses
    (a vocabulary changed) gets an error instead of stopping the others."""
    out: list[GroupResult | None] = [None] * len(groups)
    for start in range(0, len(groups), GROUPS_PER_REQUEST):
        queries: list[SearchQuery] = []
        slots: list[int] = []
        for i in range(start, min(start + GROUPS_PER_REQUEST, len(groups))):
            filters, since = groups[i]
            try:
                new, closing = queries_for(filters, since, now, unlisted_after_days)
            except ParamError as exc:
                out[i] = GroupResult([], [], f"{exc.param}: {exc.message}")
                continue
            queries += [new, closing]
            slots.append(i)
        if not queries:
            continue
        results = await index.run_many(queries, facets=False)
        for n, i in enumerate(slots):
            new_hits = results[2 * n].hits
            out[i] = GroupResult(new_hits, results[2 * n + 1].hits,
                                 published={h["id"]: published_ts(h) for h in new_hits})
    return [r or GroupResult([], []) for r in out]
