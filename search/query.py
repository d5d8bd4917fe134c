"""The query model and the filter builder (pure functions, no I/O).

Field names come only from the IndexSpec the caller passes (facet_clause rejects others);
every value is quoted with `\\` and `"` escaped,
so visitor text can never change the shape of a filter expression."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from search.index_settings import IndexSpec

SORTS: dict[str, list[str]] = {
    "relevance": [],
    "newest": ["published_at_ts:desc"],
    "deadline": ["application_deadline_ts:asc", "published_at_ts:desc"],
    "fee": ["fee_usd:asc", "published_at_ts:desc"],
    "confirmed": ["confirmed_at_ts:desc", "published_at_ts:desc"],
}
SORT_NAMES = ("relevance", "newest", "deadline", "fee", "distance", "confirmed")
METERS_PER_MILE = 1609.344
# Search's mirror of board.listings.visibility (search imports nothing from board): a
# document is visible while its status is this one and its expiry is still ahead.
# tests/test_search_oracle.py and tests/test_listing_status_unit.py keep the two equal.
VISIBLE_STATUS = "published"


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    selections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fee_max: int | None = None
    graduation_year: int | None = None
    usmle: tuple[str, ...] = ()
    ecfmg_certified: bool | None = None
    geo: tuple[float, float] | None = None
    radius_miles: int = 50
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    now_ts: int = 0
    # Digest windows (optional, additive): listings published after a moment, and listings
    # whose application deadline falls in a range ("closing soon").
    published_after_ts: float | None = None
    deadline_from_ts: int | None = None
    deadline_to_ts: int | None = None
    # Reconfirmation: only listings confirmed after this moment (the board sets it from
    # RECONFIRM_DAYS + RECONFIRM_GRACE_DAYS, and tighter from `confirmed_within_days`), read
    # at query time like the expiry, so nothing needs reindexing when the grace runs out.
    confirmed_after_ts: int | None = None

    def selected(self, facet: str) -> tuple[str, ...]:
        return self.selections.get(facet, ())


def quote(value: str) -> str:
    """A Meilisearch string literal: backslashes and double quotes escaped."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def facet_clause(facet: str, values: tuple[str, ...], spec: IndexSpec) -> str | None:
    if facet not in spec.facets:
        raise ValueError(f"unknown facet {facet!r}")
    if not values:
        return None
    if facet in spec.boolean_facets:
        parts = [f"{facet} = {'true' if v == 'true' else 'false'}" for v in values]
    else:
        parts = [f"{facet} = {quote(v)}" for v in values]
    return "(" + " OR ".join(parts) + ")"


def base_clauses(query: SearchQuery) -> list[str]:
    """Filters that are not facets: visibility, money, eligibility, geography."""
    clauses = [f"status = {quote(VISIBLE_STATUS)}", f"expires_at_ts > {int(query.now_ts)}"]
    if query.confirmed_after_ts is not None:
        clauses.append(f"confirmed_at_ts > {int(query.confirmed_after_ts)}")
    if query.fee_max is not None:
        clauses.append(f"fee_usd <= {int(query.fee_max)}")
    if query.published_after_ts is not None:
        clauses.append(f"published_at_ts > {float(query.published_after_ts)!r}")
    if query.deadline_from_ts is not None:
        clauses.append(f"application_deadline_ts >= {int(query.deadline_from_ts)}")
    if query.deadline_to_ts is not None:
        clauses.append(f"application_deadline_ts <= {int(query.deadline_to_ts)}")
    if query.graduation_year is not None:
        year = dt.datetime.fromtimestamp(query.now_ts, dt.UTC).year
        years_since = max(0, year - int(query.graduation_year))
        clauses.append(f"grad_years_limit >= {years_since}")
    if query.usmle:
        passed = set(query.usmle) - {"none"}
        if "step1" not in passed:
            clauses.append("usmle_step1_required = false")
        if "step2ck" not in passed:
            clauses.append("usmle_step2ck_required = false")
    if query.ecfmg_certified is False:
        clauses.append("ecfmg_required = false")
    if query.geo is not None:
        lat, lng = query.geo
        meters = int(query.radius_miles * METERS_PER_MILE)
        clauses.append(f"_geoRadius({float(lat)}, {float(lng)}, {meters})")
    return clauses


def build_filter(query: SearchQuery, spec: IndexSpec, without: str | None = None) -> list[str]:
    """AND of the base clauses and every facet's OR-clause, except the facet `without`
    (disjunctive faceting: a facet's own counts ignore its own selection)."""
    clauses = base_clauses(query)
    for facet in spec.facets:
        if facet == without:
            continue
        clause = facet_clause(facet, query.selected(facet), spec)
        if clause:
            clauses.append(clause)
    return clauses


def sort_for(query: SearchQuery) -> list[str]:
    if query.sort == "distance":
        if query.geo is None:
            return []
        lat, lng = query.geo
        return [f"_geoPoint({float(lat)}, {float(lng)}):asc"]
    return SORTS.get(query.sort, [])
