"""The operations the board needs from a search index, as a Protocol: the Meilisearch
implementation (search.meili_index) and the in-memory one for store-only tests
(search.memory) both satisfy it, so callers depend on these calls and not on a server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from search.engine import SearchResult
from search.query import SearchQuery


class SearchIndex(Protocol):
    async def search(self, query: SearchQuery, *, shape: bool = True) -> SearchResult:
        """One page of hits with disjunctive facet counts. `shape=False` may leave the hits
        as the engine's bytes in `raw_hits` (an index without them shapes them anyway)."""
        ...

    def shape_hits(self, raw_hits: Sequence[Any], query: SearchQuery) -> list[dict[str, Any]]:
        """The hits of a result's `raw_hits`, shaped as `search` shapes them."""
        ...

    async def run_many(self, queries: Sequence[SearchQuery], *,
                       facets: bool = True) -> list[SearchResult]:
        """One result per query, in order, in one round trip; `facets=False` skips counts."""
        ...

    async def facet_values(self, query: SearchQuery, facet: str, text: str) -> dict[str, int]:
        """Values of one facet matching `text`, counted without the facet's own selection."""
        ...

    async def upsert(self, docs: list[dict[str, Any]]) -> None:
        """Add or replace documents (search.documents.build_document shape), by id."""
        ...

    async def delete(self, ids: list[int]) -> None:
        ...
