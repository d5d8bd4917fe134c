"""The index settings the code expects; applied on start-up and compared in reconcile."""

from __future__ import annotations

from typing import Any

from search.index_spec import IndexSpec

# Exact totals up to this many hits; past it the UI asks the visitor to refine the search.
MAX_TOTAL_HITS = 20000


def index_settings(spec: IndexSpec) -> dict[str, Any]:
    """The Meilisearch settings an index of `spec` documents needs."""
    return {
        "searchableAttributes": list(spec.searchable),
        "filterableAttributes": sorted({*spec.facets, *spec.stat_fields, *spec.filterable}),
        "sortableAttributes": sorted(set(spec.sortable)),
        "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
        "faceting": {"maxValuesPerFacet": 300, "sortFacetValuesBy": {"*": "count"}},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "typoTolerance": {"enabled": True},
    }


def settings_drift(live: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """The subset of `settings` whose live value differs (order-insensitive for sets)."""
    unordered = {"filterableAttributes", "sortableAttributes"}
    drift: dict[str, Any] = {}
    for key, wanted in settings.items():
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
