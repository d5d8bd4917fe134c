"""The digest's searches: for each distinct filter set, the listings published since a moment
(newest first) and the matching listings whose deadline falls within CLOSING_SOON_DAYS.

Both queries of many filter sets go to Meilisearch in one multi-search request, so the job's
cost grows with the number of distinct filter sets (not of subscribers) and few round trips."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from board.browse.params import ParamError, parse_search
from board.core.search_spec import HIT_FIELDS, INDEX_SPEC
from board.indexing.gateway import SearchGateway
from board.listings.status import CLOSING_SOON_DAYS
from search.query import SearchQuery, build_filter, sort_for

NEW_LIMIT = 200
CLOSING_LIMIT = 20
GROUPS_PER_REQUEST = 50


@dataclass
class GroupResult:
    new: list[dict[str, Any]]  # newest first, each with "published_ts"
    closing: list[dict[str, Any]]  # soonest deadline first
    error: str = ""


def _published_ts(doc: Mapping[str, Any]) -> int:
    value = doc.get("published_at")
    if not value:
        return 0
    return int(dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp())


def queries_for(filters: Mapping[str, Any], since: dt.datetime, now: dt.datetime
                ) -> tuple[SearchQuery, SearchQuery]:
    base = parse_search(filters, now=now, strict=False)
    today = dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC)
    new = dataclasses.replace(base, sort="newest", page=1, per_page=NEW_LIMIT,
                              published_after_ts=since.timestamp())
    closing = dataclasses.replace(
        base, sort="deadline", page=1, per_page=CLOSING_LIMIT,
        deadline_from_ts=int(today.timestamp()),
        deadline_to_ts=int((today + dt.timedelta(days=CLOSING_SOON_DAYS)).timestamp()))
    return new, closing


def _lean(index: str, query: SearchQuery) -> dict[str, Any]:
    body: dict[str, Any] = {"indexUid": index, "q": query.q,
                            "filter": build_filter(query, INDEX_SPEC), "limit": query.per_page,
                            "attributesToRetrieve": HIT_FIELDS}
    sort = sort_for(query)
    if sort:
        body["sort"] = sort
    return body


async def search_groups(gateway: SearchGateway, groups: Sequence[tuple[Mapping[str, Any], dt.datetime]],
                        now: dt.datetime) -> list[GroupResult]:
    """One GroupResult per (filters, since), in order; a filter set that no longer parses
    (a vocabulary changed) gets an error instead of stopping the others."""
    out: list[GroupResult | None] = [None] * len(groups)
    for start in range(0, len(groups), GROUPS_PER_REQUEST):
        body: list[dict[str, Any]] = []
        slots: list[int] = []
        for i in range(start, min(start + GROUPS_PER_REQUEST, len(groups))):
            filters, since = groups[i]
            try:
                new, closing = queries_for(filters, since, now)
            except ParamError as exc:
                out[i] = GroupResult([], [], f"{exc.param}: {exc.message}")
                continue
            body += [_lean(gateway.index, new), _lean(gateway.index, closing)]
            slots.append(i)
        if not body:
            continue
        results = await gateway.client.multi_search(body)
        for n, i in enumerate(slots):
            new_hits = results[2 * n].get("hits") or []
            for doc in new_hits:
                doc["published_ts"] = _published_ts(doc)
            out[i] = GroupResult(new_hits, results[2 * n + 1].get("hits") or [])
    return [r or GroupResult([], []) for r in out]
