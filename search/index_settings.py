"""What search needs to know about a document's fields, and the index settings that follow.

The application builds one IndexSpec from its own field spec and hands it in as data, so
`search` stays generic; the settings are applied on start-up and compared in reconcile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IndexSpec:
    searchable: tuple[str, ...]
    # Disjunctive facets, in the order results report them; boolean ones filter on true/false.
    facets: tuple[str, ...]
    boolean_facets: tuple[str, ...]
    # Numeric fields whose min/max come back with every search.
    stat_fields: tuple[str, ...]
    # Filterable beyond facets and stats.
    filterable: tuple[str, ...]
    sortable: tuple[str, ...]
    # Stored fields a search hit carries.
    hit_fields: tuple[str, ...]
    # Fields a document holds as plain booleans (absent becomes False; a None the caller
    # gives on purpose means "not stated" and leaves the field out).
    bool_fields: tuple[str, ...]
    # Fields copied into the document as they are (numbers, choices, lists of choices, yes/no
    # /not stated); None and empty lists are left out, so a filter such as `x = 0` or
    # `x = false` never matches a value that is not stated.
    plain_fields: tuple[str, ...] = ()
    # One-way synonyms of query words (alias -> what it also finds), as pairs so the spec
    # stays hashable: the application's vocabulary ("obgyn" -> "obstetrics and gynecology").
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()


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
        "synonyms": {alias: list(words) for alias, words in spec.synonyms},
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
