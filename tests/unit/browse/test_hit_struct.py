"""The API hit's one-call conversion gives the same JSON as the field-by-field path, and odd
values (not stated, empty, old documents) still take the field-by-field path."""

from __future__ import annotations

import msgspec

from board.browse.serialize import _hit_struct_by_field, hit_struct
from board.core.search_spec import INDEX_SPEC
from search.answers import shape_hit
from search.documents import HL_POST, HL_PRE, build_document
from search.query import SearchQuery

_json = msgspec.json.Encoder()


def _hit(**row):
    base = {"id": 7, "title": "Cardiology observership", "kind": "observership",
            "specialty": "Internal medicine", "state": "TX", "city": "Houston",
            "institution_name": "Houston General", "institution_verified": True,
            "published_at": "2026-11-01T10:00:00+00:00", "fee_usd": 500,
            "visa_statuses": ["b1b2"], "open_to": ["graduate"], "payee": "institution",
            "hands_on_level": 2, "reviews": {"count": 3, "rating": 4.3, "letter_rate": 0.67,
                                             "costs_as_advertised_rate": 1.0}}
    doc = build_document({**base, **row}, INDEX_SPEC.bool_fields, INDEX_SPEC.plain_fields)
    doc["_formatted"] = {"title": f"{HL_PRE}{doc['title'][:10]}{HL_POST}{doc['title'][10:]}"}
    return shape_hit(doc, SearchQuery(), INDEX_SPEC)


def test_both_paths_encode_the_same_for_full_sparse_and_odd_hits() -> None:
    hits = [_hit(), _hit(fee_usd=None, visa_statuses=None, open_to=None, payee=None,
                         hands_on_level=None, reviews=None, city=None),
            {**_hit(), "visa_statuses": [], "refund_terms": ""},  # empty: not stated
            {**_hit(), "hands_on": None, "kind": "not-a-kind"},  # an older document
            {**_hit(), "eligibility": {"verdict": "eligible", "reasons": []},
             "warnings": [{"code": "b1b2_hands_on", "text": "t", "href": "/h"}]}]
    for hit in hits:
        fast, slow = hit_struct(hit, "https://b"), _hit_struct_by_field(hit, "https://b")
        assert _json.encode(fast) == _json.encode(slow)
    assert _json.encode(hit_struct(hits[2], "https://b")).count(b'"visa_statuses":null') == 1
    assert b'"refund_terms":""' in _json.encode(hit_struct(hits[1], "https://b"))


def test_the_highlight_is_escaped_and_marked() -> None:
    out = msgspec.json.decode(_json.encode(hit_struct(_hit(title="<b>Cardi</b> x"),
                                                      "https://b")))
    assert out["highlight"]["title"] == "<mark>&lt;b&gt;Cardi&lt;/</mark>b&gt; x"  # escaped, ours marked
    assert out["url"] == "https://b/opportunities/7" and out["institution"]["verified"] is True
