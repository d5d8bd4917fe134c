"""The index settings the code expects; applied on start-up and compared in reconcile."""

from __future__ import annotations

from typing import Any

FACETS: tuple[str, ...] = (
    "state", "specialty", "kind", "hands_on", "lor_offered",
    "b1b2_accepted", "j1_sponsored", "remote",
)
BOOLEAN_FACETS: tuple[str, ...] = ("hands_on", "lor_offered", "b1b2_accepted", "j1_sponsored", "remote")
STAT_FIELDS: tuple[str, ...] = ("fee_usd", "duration_weeks")

# Exact totals up to this many hits; past it the UI asks the visitor to refine the search.
MAX_TOTAL_HITS = 20000

INDEX_SETTINGS: dict[str, Any] = {
    "searchableAttributes": [
        "title", "institution_name", "specialty", "city", "state_name", "kind", "description",
    ],
    "filterableAttributes": sorted({
        *FACETS, *STAT_FIELDS, "id", "status", "expires_at_ts", "published_at_ts",
        "application_deadline_ts", "grad_years_limit", "ecfmg_required",
        "usmle_step1_required", "usmle_step2ck_required", "institution_verified",
        "updated_at_ts", "_geo",
    }),
    "sortableAttributes": sorted({
        "published_at_ts", "application_deadline_ts", "fee_usd", "expires_at_ts", "_geo",
    }),
    "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
    "faceting": {"maxValuesPerFacet": 300, "sortFacetValuesBy": {"*": "count"}},
    "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
    "typoTolerance": {"enabled": True},
}


def settings_drift(live: dict[str, Any]) -> dict[str, Any]:
    """The subset of INDEX_SETTINGS whose live value differs (order-insensitive for sets)."""
    unordered = {"filterableAttributes", "sortableAttributes"}
    drift: dict[str, Any] = {}
    for key, wanted in INDEX_SETTINGS.items():
        have = live.get(key)
        if key in unordered:
            if sorted(_attr_names(have or [])) != sorted(wanted):
                drift[key] = wanted
        elif isinstance(wanted, dict):
            have = have or {}
            if any(have.get(k) != v for k, v in wanted.items()):
                drift[key] = wanted
        elif have != wanted:
            drift[key] = wanted
    return drift


def _attr_names(values: list[Any]) -> list[str]:
    # Meilisearch may report filterable attributes as objects with patterns (1.14+).
    names: list[str] = []
    for v in values:
        if isinstance(v, str):
            names.append(v)
        elif isinstance(v, dict):
            names.extend(v.get("attributePatterns", []))
    return names
