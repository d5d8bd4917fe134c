"""An in-memory SearchIndex for store-only tests: the same results as Meilisearch for the
simple cases (equality / IN filters, the eligibility and window filters, sorts, pagination,
disjunctive facet counts), without a server.

Deliberately simpler than the engine: text matching is "every word is a substring of a
searchable field" (no typo tolerance, no ranking), and relevance order is id order. Tests
that care about ranking or typos need the real engine."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from search.answers import haversine_miles, shape_hit
from search.engine import SearchResult
from search.index_settings import MAX_TOTAL_HITS, IndexSpec
from search.query import VISIBLE_STATUS, SearchQuery


def facet_values(doc: dict[str, Any], facet: str) -> list[str]:
    """A document's values of a facet as Meilisearch counts them (booleans as "true"/"false";
    an array counts once per element; a missing value counts nowhere)."""
    value = doc.get(facet)
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if item is None or item == "":
            continue
        text = ("true" if item else "false") if isinstance(item, bool) else str(item)
        if text not in out:
            out.append(text)
    return out


def _at_most(value: Any, limit: int | None) -> bool:
    # Meilisearch semantics: a missing (not stated) number fails every comparison.
    return limit is None or (isinstance(value, int | float) and value <= limit)


def _years_since(query: SearchQuery) -> int:
    year = dt.datetime.fromtimestamp(query.now_ts, dt.UTC).year
    return max(0, year - int(query.graduation_year or year))


def _text_matches(doc: dict[str, Any], q: str, searchable: Sequence[str]) -> bool:
    words = q.casefold().split()
    if not words:
        return True
    haystack = " ".join(str(doc.get(f) or "") for f in searchable).casefold()
    return all(w in haystack for w in words)


def _unstated_or_has(doc: dict[str, Any], field: str, value: str) -> bool:
    stated = doc.get(field)
    return not stated or value in stated


def _eligible(doc: dict[str, Any], query: SearchQuery, spec: IndexSpec) -> bool:
    """search.query.eligibility_clauses, evaluated on one document."""
    if query.graduation_year is not None and doc.get("grad_years_limit", 0) < _years_since(query):
        return False
    if query.usmle:
        passed = set(query.usmle) - {"none"}
        if "step1" not in passed and doc.get("usmle_step1_required") is True:
            return False
        if "step2ck" not in passed and doc.get("usmle_step2ck_required") is True:
            return False
    if query.ecfmg_certified is False and doc.get("ecfmg_required") is True:
        return False
    known = {*spec.facets, *spec.filterable}
    if query.visa is not None and "visa_statuses" in known and not _unstated_or_has(
            doc, "visa_statuses", query.visa):
        return False
    return not (query.student is not None and "open_to" in known and not _unstated_or_has(
        doc, "open_to", "student" if query.student else "graduate"))


def _base_matches(doc: dict[str, Any], query: SearchQuery, spec: IndexSpec) -> bool:
    """search.query.base_clauses, evaluated on one document."""
    if doc.get("status") != VISIBLE_STATUS or (doc.get("expires_at_ts") or 0) <= query.now_ts:
        return False
    confirmed = doc.get("confirmed_at_ts")
    if query.confirmed_after_ts is not None and (
            confirmed is None or confirmed <= query.confirmed_after_ts):
        return False
    if not _at_most(doc.get("fee_usd"), query.fee_max):
        return False
    if not _at_most(doc.get("total_cost_usd"), query.cost_max):
        return False
    if query.hands_on_min is not None and not (
            isinstance(doc.get("hands_on_level"), int)
            and doc["hands_on_level"] >= query.hands_on_min):
        return False
    published = doc.get("published_at_ts")
    if query.published_after_ts is not None and (
            published is None or published <= query.published_after_ts):
        return False
    deadline = doc.get("application_deadline_ts")
    if query.deadline_from_ts is not None and (deadline is None or deadline < query.deadline_from_ts):
        return False
    if query.deadline_to_ts is not None and (deadline is None or deadline > query.deadline_to_ts):
        return False
    if query.eligible_only and not _eligible(doc, query, spec):
        return False
    if query.geo is not None:
        geo = doc.get("_geo")
        if not geo or haversine_miles(query.geo, (geo["lat"], geo["lng"])) > query.radius_miles:
            return False
    return _text_matches(doc, query.q, spec.searchable)


def _facets_match(doc: dict[str, Any], query: SearchQuery, facets: Sequence[str],
                  without: str | None) -> bool:
    return all(set(facet_values(doc, f)) & set(query.selected(f))
               for f in facets if f != without and query.selected(f))


def _sorted(docs: list[dict[str, Any]], query: SearchQuery) -> list[dict[str, Any]]:
    newest = sorted(docs, key=lambda d: -(d.get("published_at_ts") or 0))
    if query.sort == "newest":
        return newest
    if query.sort == "deadline":  # stable sort: ties stay newest first, no deadline last
        return sorted(newest, key=lambda d: (d.get("application_deadline_ts") is None,
                                             d.get("application_deadline_ts") or 0))
    if query.sort in ("fee", "cost"):  # not stated last, as Meilisearch sorts them
        name = "fee_usd" if query.sort == "fee" else "total_cost_usd"
        return sorted(newest, key=lambda d: (d.get(name) is None, d.get(name) or 0))
    if query.sort == "confirmed":
        return sorted(newest, key=lambda d: -(d.get("confirmed_at_ts") or 0))
    if query.sort == "distance" and query.geo is not None:
        geo = query.geo
        return sorted(docs, key=lambda d: haversine_miles(geo, (d["_geo"]["lat"], d["_geo"]["lng"]))
                      if d.get("_geo") else math.inf)
    return docs


class MemoryIndex:
    def __init__(self, spec: IndexSpec, docs: Iterable[dict[str, Any]] = ()):
        self.spec = spec
        self.docs: dict[int, dict[str, Any]] = {}
        # Same meaning as MeiliClient.generation: bumped by every write.
        self.generation = 0
        for doc in docs:
            self.docs[int(doc["id"])] = dict(doc)

    def _matching(self, query: SearchQuery, without: str | None = None) -> list[dict[str, Any]]:
        docs = sorted(self.docs.values(), key=lambda d: d["id"])
        spec = self.spec
        return [d for d in docs if _base_matches(d, query, spec)
                and _facets_match(d, query, spec.facets, without)]

    def _counts(self, query: SearchQuery, facet: str) -> dict[str, int]:
        return dict(Counter(v for d in self._matching(query, without=facet)
                            for v in facet_values(d, facet)))

    async def search(self, query: SearchQuery, *, shape: bool = True) -> SearchResult:
        return (await self.run_many([query]))[0]  # always shaped: no raw_hits here

    def shape_hits(self, raw_hits: Sequence[Any], query: SearchQuery) -> list[dict[str, Any]]:
        return [shape_hit(msgspec.json.decode(raw), query, self.spec) for raw in raw_hits]

    async def run_many(self, queries: Sequence[SearchQuery], *,
                       facets: bool = True) -> list[SearchResult]:
        return [self._run(q, facets) for q in queries]

    def _run(self, query: SearchQuery, facets: bool) -> SearchResult:
        started = time.perf_counter()
        found = _sorted(self._matching(query), query)
        start = (query.page - 1) * query.per_page
        page = found[start:start + query.per_page]
        stats: dict[str, dict[str, float]] = {}
        if facets:
            for name in self.spec.stat_fields:
                numbers = [d[name] for d in found if isinstance(d.get(name), int | float)]
                if numbers:
                    stats[name] = {"min": min(numbers), "max": max(numbers)}
        return SearchResult(
            hits=[shape_hit({k: d.get(k) for k in self.spec.hit_fields}, query, self.spec)
                  for d in page],
            total=len(found), page=query.page, per_page=query.per_page,
            pages=-(-len(found) // query.per_page),
            facets={f: self._counts(query, f) if facets else {} for f in self.spec.facets},
            facet_stats=stats, took_ms=int((time.perf_counter() - started) * 1000),
            capped=len(found) >= MAX_TOTAL_HITS,
            facet_totals={f: len(self._matching(query, without=f)) for f in self.spec.facets
                          if facets and query.selected(f)},
        )

    async def facet_values(self, query: SearchQuery, facet: str, text: str) -> dict[str, int]:
        if facet not in self.spec.facets:
            raise ValueError(f"unknown facet {facet!r}")
        needle = text.casefold().strip()
        return {v: n for v, n in self._counts(query, facet).items() if needle in v.casefold()}

    async def upsert(self, docs: list[dict[str, Any]]) -> None:
        for doc in docs:
            self.docs[int(doc["id"])] = dict(doc)
        self.generation += 1

    async def delete(self, ids: list[int]) -> None:
        for doc_id in ids:
            self.docs.pop(int(doc_id), None)
        self.generation += 1
