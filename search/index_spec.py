"""What the search code needs to know about a document's fields, as data: the application
builds one IndexSpec from its own field spec and hands it in, so `search` stays generic."""

from __future__ import annotations

from dataclasses import dataclass


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
    # Fields a document holds as plain booleans (None and absent become False).
    bool_fields: tuple[str, ...]
