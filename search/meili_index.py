"""The Meilisearch SearchIndex: one client, one index uid, and a cache of hot results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from search import sync
from search.client import MeiliClient
from search.engine import SearchResult, facet_values, run_many, run_search
from search.index_settings import IndexSpec
from search.query import SearchQuery
from search.result_cache import ResultCache


class MeiliIndex:
    def __init__(self, client: MeiliClient, index: str, spec: IndexSpec,
                 cache: ResultCache | None = None):
        self.client = client
        self.index = index
        self.spec = spec
        # Hot queries from memory; see search.result_cache for why entries stay correct.
        self.cache = cache if cache is not None else ResultCache()

    async def search(self, query: SearchQuery, *, shape: bool = True) -> SearchResult:
        return await run_search(self.client, self.index, query, self.spec, self.cache,
                                shape=shape)

    def shape_hits(self, raw_hits: Sequence[Any], query: SearchQuery) -> list[dict[str, Any]]:
        """Hits of a `shape=False` result as `search` would have shaped them (memoized)."""
        return self.cache.shaped.shape(raw_hits, query, self.spec)

    async def run_many(self, queries: Sequence[SearchQuery], *,
                       facets: bool = True) -> list[SearchResult]:
        # Not cached: batches (the digest) are one-off combinations.
        return await run_many(self.client, self.index, queries, self.spec, facets=facets)

    async def facet_values(self, query: SearchQuery, facet: str, text: str) -> dict[str, int]:
        return await facet_values(self.client, self.index, query, facet, text, self.spec)

    async def upsert(self, docs: list[dict[str, Any]]) -> None:
        await sync.upsert(self.client, self.index, docs)

    async def delete(self, ids: list[int]) -> None:
        await sync.delete(self.client, self.index, ids)
