"""The board's search index, derived from the field spec and handed to `search` as data
(`search` imports nothing from the board)."""

from __future__ import annotations

from board.core.fields import BOOL, DATE, FACET_FIELDS, OPPORTUNITY_FIELDS, names
from board.core.synonyms import query_synonyms
from search.index_settings import IndexSpec

# Ranking order matters (Meilisearch's "attribute" rule), so it is a list, not a flag.
SEARCHABLE = ("title", "institution_name", "specialty", "city", "state_name", "kind",
              "description")
# Document fields that are not opportunity fields (see search.documents.build_document).
_DOCUMENT_FILTERS = ("id", "status", "expires_at_ts", "published_at_ts",
                     "application_deadline_ts", "grad_years_limit", "institution_verified",
                     "updated_at_ts", "confirmed_at_ts", "_geo")


# Opportunity fields that search.documents.build_document shapes itself; every other field a
# search needs (hits, facets, filters, stats) is copied as it is.
_SHAPED = frozenset({"title", "description", "kind", "specialty", "state", "city", "fee_usd",
                     "stipend_usd", "duration_weeks", "max_years_since_graduation"})


def _sort_key(name: str, kind: str) -> str:
    # Dates are sorted (and range-filtered) on their Unix-timestamp twin.
    return f"{name}_ts" if kind == DATE else name


INDEX_SPEC = IndexSpec(
    searchable=SEARCHABLE,
    facets=names(FACET_FIELDS),
    boolean_facets=tuple(f.name for f in FACET_FIELDS if f.type == BOOL),
    stat_fields=tuple(f.name for f in OPPORTUNITY_FIELDS if f.stat),
    filterable=(*(f.name for f in OPPORTUNITY_FIELDS if f.filterable), *_DOCUMENT_FILTERS),
    sortable=(*(_sort_key(f.name, f.type) for f in OPPORTUNITY_FIELDS if f.sortable), "_geo"),
    hit_fields=("id", *(f.name for f in OPPORTUNITY_FIELDS if f.in_hits),
                "institution_name", "institution_verified", "_geo", "reviews"),
    bool_fields=tuple(f.name for f in OPPORTUNITY_FIELDS if f.type == BOOL),
    plain_fields=(*(f.name for f in OPPORTUNITY_FIELDS
                    if (f.in_hits or f.facet or f.filterable or f.stat)
                    and f.type not in (BOOL, DATE) and f.name not in _SHAPED),
                  # The listing's review summary (board.reviews.summary), copied as it is.
                  "reviews"),
    synonyms=tuple((alias, tuple(words)) for alias, words in query_synonyms().items()),
)
FACETS = INDEX_SPEC.facets
BOOLEAN_FACETS = INDEX_SPEC.boolean_facets
HIT_FIELDS = list(INDEX_SPEC.hit_fields)
