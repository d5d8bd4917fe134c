"""Run SearchQueries as ONE multi-search round trip and shape the answer.

For a page, query 0 fetches the hits plus counts for facets without a selection; each facet
with a selection gets its own zero-hit query whose filter leaves that facet out. Without
facets (the digest) a query is one lean body. Either way the hits come back in one shape."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from search.answers import HitMemo, answer_types, shape_hit
from search.client import MeiliClient
from search.documents import HL_POST, HL_PRE
from search.index_settings import MAX_TOTAL_HITS, IndexSpec
from search.query import SearchQuery, build_filter, filters_without, sort_for
from search.result_cache import ResultCache

_encode = msgspec.json.Encoder().encode


@dataclass
class SearchResult:
    hits: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    pages: int
    facets: dict[str, dict[str, int]]
    facet_stats: dict[str, dict[str, float]]
    took_ms: int
    capped: bool = False
    queries: list[dict[str, Any]] = field(default_factory=list)
    # Per selected facet: the hits with that facet's own selection left out (its disjunctive
    # query's exact total), so "remove this filter" needs no search of its own.
    facet_totals: dict[str, int] = field(default_factory=dict)
    # Asked for unshaped (`shape=False`): the engine's JSON of each hit (msgspec.Raw) and an
    # empty `hits`, for a caller that turns those bytes into its own form without the dicts.
    raw_hits: list[Any] | None = None


def build_queries(index: str, query: SearchQuery, spec: IndexSpec) -> list[dict[str, Any]]:
    filters = filters_without(query, spec)
    selected = [facet for facet in filters if facet is not None]
    main: dict[str, Any] = {
        "indexUid": index,
        "q": query.q,
        "filter": filters[None],
        "facets": [f for f in spec.facets if f not in selected] + list(spec.stat_fields),
        "page": query.page,
        "hitsPerPage": query.per_page,
        "attributesToRetrieve": list(spec.hit_fields),
        "attributesToHighlight": ["title", "institution_name", "city"],
        "attributesToCrop": ["description"],
        "cropLength": 30,
        "highlightPreTag": HL_PRE,
        "highlightPostTag": HL_POST,
    }
    sort = sort_for(query)
    if sort:
        main["sort"] = sort
    return [main, *({"indexUid": index, "q": query.q, "filter": filters[facet], "facets": [facet],
                     "page": 1, "hitsPerPage": 0} for facet in selected)]


def hits_only_body(index: str, query: SearchQuery, spec: IndexSpec) -> dict[str, Any]:
    """No facets, no highlighting and `limit` instead of `page`: the engine then skips the
    facet counts and the exhaustive total that thousands of digest searches do not need."""
    body: dict[str, Any] = {"indexUid": index, "q": query.q, "filter": build_filter(query, spec),
                            "limit": query.per_page, "attributesToRetrieve": list(spec.hit_fields)}
    sort = sort_for(query)
    if sort:
        body["sort"] = sort
    return body


_NO_MEMO = HitMemo(max_entries=0)


def shape_result(results: Sequence[Any], query: SearchQuery, took_ms: int,
                 spec: IndexSpec, memo: HitMemo = _NO_MEMO, shape: bool = True) -> SearchResult:
    """`results`: the engine's answers for one search, decoded (answer_types) or as dicts.
    Without `shape`, decoded hits stay the engine's bytes (SearchResult.raw_hits)."""
    answer = answer_types(spec)[0]
    answers = [r if isinstance(r, answer) else msgspec.convert({**r, "hits": []}, answer)
               for r in results]
    main = answers[0]
    first = results[0]
    raw_hits = None
    if isinstance(first, dict):
        hits = [shape_hit(h, query, spec) for h in first.get("hits", [])]
    elif shape:
        hits = memo.shape(main.hits, query, spec)
    else:
        hits, raw_hits = [], main.hits
    facets: dict[str, dict[str, int]] = {}
    dist = main.facetDistribution
    for facet in spec.facets:
        if not query.selected(facet):
            facets[facet] = dist.get(facet) or {}
    totals: dict[str, int] = {}
    selected = [facet for facet in spec.facets if query.selected(facet)]
    # A lean body (run_many without facets) has no facet queries: nothing to pair.
    for facet, extra in zip(selected, answers[1:], strict=False):
        facets.update(extra.facetDistribution)  # decoded per request: no copy needed
        totals[facet] = int(extra.totalHits or 0)
    for facet in spec.facets:
        facets.setdefault(facet, {})
    stats = {k: v for k, v in main.facetStats.items() if k in spec.stat_fields}
    # A lean body (offset/limit) answers an estimate instead of the exhaustive total.
    total = int(main.totalHits or main.estimatedTotalHits or 0)
    pages = main.totalPages
    return SearchResult(
        hits=hits,
        total=total,
        page=query.page,
        per_page=query.per_page,
        pages=int(pages) if pages is not None else -(-total // max(1, query.per_page)),
        facets=facets,
        facet_stats=stats,
        took_ms=took_ms,
        capped=total >= MAX_TOTAL_HITS,
        facet_totals=totals,
        raw_hits=raw_hits,
    )


async def _execute(client: MeiliClient, parts: list[list[dict[str, Any]]],
                   queries: Sequence[SearchQuery], spec: IndexSpec,
                   memo: HitMemo = _NO_MEMO, shape: bool = True) -> list[SearchResult]:
    started = time.perf_counter()
    bodies = [body for part in parts for body in part]
    if not bodies:
        return []
    results = await client.multi_search(bodies, answer_types(spec)[1])
    took = int((time.perf_counter() - started) * 1000)
    out, start = [], 0
    for part, query in zip(parts, queries, strict=True):
        out.append(shape_result(results[start:start + len(part)], query, took, spec, memo,
                                shape))
        start += len(part)
    return out


async def run_many(client: MeiliClient, index: str, queries: Sequence[SearchQuery],
                   spec: IndexSpec, *, facets: bool = True) -> list[SearchResult]:
    """One SearchResult per query, in order, from ONE multi-search request (callers batch
    to keep a request's size reasonable). Without `facets` the results carry no counts."""
    parts = [build_queries(index, q, spec) if facets else [hits_only_body(index, q, spec)]
             for q in queries]
    return await _execute(client, parts, queries, spec)


async def run_search(client: MeiliClient, index: str, query: SearchQuery, spec: IndexSpec,
                     cache: ResultCache | None = None, *, shape: bool = True) -> SearchResult:
    """With a cache, an identical search in the same time window and client generation is
    answered from memory; callers must treat the result as read-only. `shape=False`: the
    hits as the engine's bytes (SearchResult.raw_hits), cached apart from shaped results."""
    if cache is not None:
        query = cache.windowed(query)
    part = build_queries(index, query, spec)
    key = b""
    generation = None
    if cache is not None:
        # Read BEFORE asking: a write finishing meanwhile wins.
        generation = await cache.generation(client.generation)
    if generation is not None:
        # A body ends in "]": the suffix cannot make one search's key another's.
        key = _encode(part) if shape else _encode(part) + b" raw"
        hit = cache.get(key, generation)
        if hit is not None:
            return hit
    result = (await _execute(client, [part], [query], spec,
                             cache.shaped if cache is not None else _NO_MEMO, shape))[0]
    if generation is not None:
        cache.put(key, generation, result)
    return result


async def facet_values(client: MeiliClient, index: str, query: SearchQuery, facet: str,
                       text: str, spec: IndexSpec) -> dict[str, int]:
    """Meilisearch facet search (prefix and typo tolerant) over one facet's values, counted
    under every filter except the facet's own selection, as the facet list shows them."""
    if facet not in spec.facets:
        raise ValueError(f"unknown facet {facet!r}")
    body = {"facetName": facet, "facetQuery": text, "q": query.q,
            "filter": build_filter(query, spec, without=facet)}
    data = await client.request("POST", f"/indexes/{index}/facet-search", body)
    return {str(h["value"]): int(h["count"]) for h in data.get("facetHits", [])}
