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
    # Meilisearch sorts documents without the field (not stated) after every value.
    "fee": ["fee_usd:asc", "published_at_ts:desc"],
    "cost": ["total_cost_usd:asc", "published_at_ts:desc"],
    "confirmed": ["confirmed_at_ts:desc", "published_at_ts:desc"],
}
SORT_NAMES = ("relevance", "newest", "deadline", "fee", "distance", "cost", "confirmed")
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
    # On total_cost_usd and hands_on_level: a document that does not state them never
    # matches (a missing field fails every comparison).
    cost_max: int | None = None
    hands_on_min: int | None = None
    graduation_year: int | None = None
    usmle: tuple[str, ...] = ()
    ecfmg_certified: bool | None = None
    # The rest of the eligibility profile, and whether it filters: with `eligible_only` a
    # listing whose stated requirements rule the profile out is hidden; "not stated" stays.
    visa: str | None = None
    student: bool | None = None
    eligible_only: bool = True
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


def base_clauses(query: SearchQuery, spec: IndexSpec | None = None) -> list[str]:
    """Filters that are not facets: visibility, money, eligibility, geography."""
    clauses = [f"status = {quote(VISIBLE_STATUS)}", f"expires_at_ts > {int(query.now_ts)}"]
    if query.confirmed_after_ts is not None:
        clauses.append(f"confirmed_at_ts > {int(query.confirmed_after_ts)}")
    if query.fee_max is not None:
        clauses.append(f"fee_usd <= {int(query.fee_max)}")
    if query.cost_max is not None:
        clauses.append(f"total_cost_usd <= {int(query.cost_max)}")
    if query.hands_on_min is not None:
        clauses.append(f"hands_on_level >= {int(query.hands_on_min)}")
    if query.published_after_ts is not None:
        clauses.append(f"published_at_ts > {float(query.published_after_ts)!r}")
    if query.deadline_from_ts is not None:
        clauses.append(f"application_deadline_ts >= {int(query.deadline_from_ts)}")
    if query.deadline_to_ts is not None:
        clauses.append(f"application_deadline_ts <= {int(query.deadline_to_ts)}")
    if query.geo is not None:
        lat, lng = query.geo
        meters = int(query.radius_miles * METERS_PER_MILE)
        clauses.append(f"_geoRadius({float(lat)}, {float(lng)}, {meters})")
    if query.eligible_only:
        clauses.extend(eligibility_clauses(query, spec))
    return clauses


def _stated_or(field: str, value: str) -> str:
    # A list the host left empty is "not stated": such a listing stays (its verdict is
    # "unknown"), whichever way the document spells the emptiness.
    return (f"({field} = {quote(value)} OR {field} NOT EXISTS OR {field} IS EMPTY "
            f"OR {field} IS NULL)")


def eligibility_clauses(query: SearchQuery, spec: IndexSpec | None = None) -> list[str]:
    """Hide listings whose stated requirements rule the profile out (the mirror of the
    board's verdict `not_eligible`); a requirement the listing does not state never hides it.
    `!= true` keeps documents where the flag is false, null or absent."""
    clauses: list[str] = []
    if query.graduation_year is not None:
        year = dt.datetime.fromtimestamp(query.now_ts, dt.UTC).year
        years_since = max(0, year - int(query.graduation_year))
        clauses.append(f"grad_years_limit >= {years_since}")
    if query.usmle:
        passed = set(query.usmle) - {"none"}
        if "step1" not in passed:
            clauses.append("usmle_step1_required != true")
        if "step2ck" not in passed:
            clauses.append("usmle_step2ck_required != true")
    if query.ecfmg_certified is False:
        clauses.append("ecfmg_required != true")
    known = set(spec.facets) | set(spec.filterable) if spec is not None else set()
    if query.visa is not None and "visa_statuses" in known:
        clauses.append(_stated_or("visa_statuses", query.visa))
    if query.student is not None and "open_to" in known:
        clauses.append(_stated_or("open_to", "student" if query.student else "graduate"))
    return clauses


def build_filter(query: SearchQuery, spec: IndexSpec, without: str | None = None) -> list[str]:
    """AND of the base clauses and every facet's OR-clause, except the facet `without`
    (disjunctive faceting: a facet's own counts ignore its own selection)."""
    return base_clauses(query, spec) + [c for f, c in _facet_clauses(query, spec) if f != without]


def filters_without(query: SearchQuery, spec: IndexSpec) -> dict[str | None, list[str]]:
    """build_filter's answer for `without` = None and for each selected facet, the shared
    clauses built once (a page's multi-search holds one filter per selected facet, plus one)."""
    base = base_clauses(query, spec)
    clauses = _facet_clauses(query, spec)
    out: dict[str | None, list[str]] = {None: base + [c for _, c in clauses]}
    for facet, _ in clauses:
        out[facet] = base + [c for f, c in clauses if f != facet]
    return out


def _facet_clauses(query: SearchQuery, spec: IndexSpec) -> list[tuple[str, str]]:
    """(facet, its OR-clause) for each facet with a selection, in the spec's order."""
    out = []
    for facet in spec.facets:
        clause = facet_clause(facet, query.selected(facet), spec)
        if clause:
            out.append((facet, clause))
    return out


def sort_for(query: SearchQuery) -> list[str]:
    if query.sort == "distance":
        if query.geo is None:
            return []
        lat, lng = query.geo
        return [f"_geoPoint({float(lat)}, {float(lng)}):asc"]
    return SORTS.get(query.sort, [])
