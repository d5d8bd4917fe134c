"""Response shapes of the JSON API (msgspec Structs: fast to encode, typed in OpenAPI)."""

from __future__ import annotations

import msgspec


class InstitutionRef(msgspec.Struct):
    name: str | None
    verified: bool


class Hit(msgspec.Struct):
    id: int
    title: str
    kind: str
    specialty: str
    state: str
    city: str
    institution: InstitutionRef
    fee_usd: int
    hands_on: bool
    lor_offered: bool
    b1b2_accepted: bool
    j1_sponsored: bool
    remote: bool
    duration_weeks: int | None
    application_deadline: str | None
    published_at: str | None
    expires_at: str | None
    url: str
    highlight: dict[str, str]
    distance_miles: float | None
    stipend_usd: int | None = None
    start_date: str | None = None
    ecfmg_required: bool = False
    usmle_step1_required: bool = False
    usmle_step2ck_required: bool = False
    max_years_since_graduation: int | None = None


class SearchResponse(msgspec.Struct):
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    pages: int
    facets: dict[str, dict[str, int]]
    facet_stats: dict[str, dict[str, float]]
    took_ms: int
    capped: bool = False


class OpportunityOut(msgspec.Struct):
    id: int
    title: str
    kind: str
    specialty: str
    state: str
    city: str
    institution: InstitutionRef
    remote: bool
    hands_on: bool
    description: str
    duration_weeks: int | None
    start_date: str | None
    application_deadline: str | None
    fee_usd: int
    stipend_usd: int | None
    lor_offered: bool
    ecfmg_required: bool
    usmle_step1_required: bool
    usmle_step2ck_required: bool
    max_years_since_graduation: int | None
    b1b2_accepted: bool
    j1_sponsored: bool
    visa_notes: str
    apply_url: str
    apply_email: str
    status: str
    published_at: str | None
    expires_at: str | None
    url: str


class ErrorBody(msgspec.Struct):
    status_code: int
    detail: str
    field: str | None = None
    errors: dict[str, str] | None = None
