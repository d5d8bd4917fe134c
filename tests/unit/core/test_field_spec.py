"""The lists derived from the field spec agree with it (no server needed)."""

from __future__ import annotations

from board.browse.labels import BOOL_LABELS
from board.browse.schemas import Hit, OpportunityOut
from board.browse.view_model import FACET_ORDER, FACET_TITLES
from board.core import fields
from board.core.fields import BOOL, DATE, FACET_FIELDS, INPUT_FIELDS, OPPORTUNITY_FIELDS
from board.core.search_spec import INDEX_SPEC
from board.core.validation import (
    BOOL_FIELDS,
    DATE_FIELDS,
    FIELDS,
    INT_RANGES,
    TEXT_LIMITS,
    validate_opportunity,
)
from board.imports.formats import read_csv
from search.documents import build_document
from search.index_settings import index_settings

SETTINGS = index_settings(INDEX_SPEC)
_API_EXTRAS = {"id", "institution", "url"}
_HIT_EXTRAS = {"id", "institution", "url", "highlight", "distance_miles", "eligibility", "warnings",
               "reviews"}


def test_names_are_unique():
    names = [f.name for f in OPPORTUNITY_FIELDS]
    assert len(names) == len(set(names))


def test_validation_lists_follow_the_spec():
    assert FIELDS == tuple(f.name for f in INPUT_FIELDS)
    assert set(BOOL_FIELDS) == {f.name for f in INPUT_FIELDS if f.type == BOOL}
    assert set(DATE_FIELDS) == {f.name for f in INPUT_FIELDS if f.type == DATE}
    assert set(INT_RANGES) == {f.name for f in INPUT_FIELDS if f.int_range}
    assert set(TEXT_LIMITS) <= set(FIELDS)


def test_every_facet_is_filterable_and_labelled():
    assert set(INDEX_SPEC.facets) == {f.name for f in FACET_FIELDS}
    assert set(INDEX_SPEC.facets) <= set(SETTINGS["filterableAttributes"])
    assert set(INDEX_SPEC.stat_fields) <= set(SETTINGS["filterableAttributes"])
    assert FACET_ORDER == INDEX_SPEC.facets
    assert set(FACET_TITLES) == set(INDEX_SPEC.facets) and all(FACET_TITLES.values())
    assert set(BOOL_LABELS) == set(INDEX_SPEC.boolean_facets)
    assert all(yes and no for yes, no in BOOL_LABELS.values())


STATED = {"fee_usd": 100, "application_fee_usd": 50, "deposit_usd": 500,
          "refund_policy": "partial", "refund_terms": "Half back", "payee": "institution",
          "intermediary_name": "", "total_cost_usd": 650, "lor_policy": "standard",
          "participants_last_year": 10, "letters_last_year": 8, "hands_on_level": 2,
          "ehr_access": "read", "setting": "both", "hours_per_week": 40, "seats": 2,
          "open_to": ["graduate"], "visa_statuses": ["b1b2", "j1"], "remote_from_abroad": False,
          "starts_at": "2027-01-27T20:00:00Z", "ends_at": "2027-01-27T21:00:00Z",
          "timezone": "America/New_York", "recurrence": "FREQ=WEEKLY", "next_starts_at": 1800000000}


def test_sortable_and_filterable_fields_are_in_the_document():
    row = {"id": 1, "title": "A title", "kind": "research", "specialty": "Internal medicine",
           "latitude": 1.0, "longitude": 2.0, **STATED, "intermediary_name": "Agency",
           # The review summary board.indexing.gateway.load_rows puts on every row.
           "reviews": {"count": 0, "rating": None, "letter_rate": None,
                       "costs_as_advertised_rate": None}}
    doc = build_document(row, INDEX_SPEC.bool_fields, INDEX_SPEC.plain_fields)
    for name in (*SETTINGS["filterableAttributes"], *SETTINGS["sortableAttributes"]):
        assert name in doc, name
    for name in INDEX_SPEC.hit_fields:
        assert name in doc, name
    assert doc["open_to"] == ["graduate"] and doc["remote_from_abroad"] is False


def test_not_stated_values_are_left_out_of_the_document():
    # Meilisearch never matches a missing field with `fee_usd <= 0` or `x = false`.
    row = {"id": 1, "title": "A title", "kind": "research", "specialty": "Internal medicine",
           **{name: None for name in STATED}, "open_to": [], "lor_offered": None}
    doc = build_document(row, INDEX_SPEC.bool_fields, INDEX_SPEC.plain_fields)
    assert not set(STATED) & set(doc)
    assert "lor_offered" not in doc
    assert doc["hands_on"] is False  # a legacy boolean stays a boolean


def test_api_structs_hold_the_spec_fields():
    assert set(OpportunityOut.__struct_fields__) - _API_EXTRAS == {
        f.name for f in OPPORTUNITY_FIELDS}
    assert set(Hit.__struct_fields__) - _HIT_EXTRAS == {
        f.name for f in OPPORTUNITY_FIELDS if f.in_hits}
    # "reviews": the review summary the document carries (board.reviews.summary).
    assert set(INDEX_SPEC.hit_fields) - {"institution_name", "institution_verified", "_geo",
                                         "reviews"} \
        == {f.name for f in OPPORTUNITY_FIELDS if f.in_hits} | {"id"}


def test_every_import_column_validates():
    header = ",".join(FIELDS)
    cells = {"title": "Research fellowship", "kind": "research", "specialty": "Internal medicine",
             "state": "NY", "apply_url": "https://example.org/apply"}
    row = ",".join(cells.get(name, "") for name in FIELDS)
    [parsed] = read_csv(f"{header}\n{row}\n")
    clean = validate_opportunity(parsed)
    assert set(clean) == set(FIELDS) | {"total_cost_usd"}  # the total is derived


def test_every_editable_field_is_on_the_form():
    on_form = [f.name for _, _, group in fields.form_sections() for f in group]
    assert sorted(on_form) == sorted(FIELDS)
    assert all(f.widget and f.label for f in INPUT_FIELDS)


def test_every_vocabulary_exists_and_choice_widgets_offer_not_stated():
    from board.core import vocab

    for f in OPPORTUNITY_FIELDS:
        if f.vocabulary and f.vocabulary not in {"kinds", "specialties", "states"}:
            assert f.vocabulary in vocab.CHOICES, f.name
        if f.type in (fields.LIST, fields.TRISTATE) or f.vocabulary in vocab.CHOICES:
            assert f.widget in {"radio", "checkboxes", "yesno"}, f.name
