"""The API's hit encoded straight from the engine's bytes (serialize.encoded_api_hit) is the
same JSON as the shaped path (shape_hit, then hit_struct), for full, sparse, null, empty and
odd documents; what it cannot take (a value of another type, no review summary) it leaves to
that path, and the memo hands out one answer per exact hit, origin and base URL."""

from __future__ import annotations

from typing import Any

import msgspec

from board.browse.serialize import ApiHits, encoded_api_hit, hit_struct
from board.core.search_spec import INDEX_SPEC
from search.answers import answer_types, shape_hit
from search.documents import HL_POST, HL_PRE, build_document
from search.query import SearchQuery

BASE = "https://board.example"
_json = msgspec.json.Encoder()
_REVIEWS = {"count": 3, "rating": 4.3, "letter_rate": 0.67, "costs_as_advertised_rate": 1.0}


def _engine_hit(drop: tuple[str, ...] = (), as_sent: dict[str, Any] | None = None,
                **row: Any) -> bytes:
    """A hit as Meilisearch answers it: the retrieved fields the document has, `_formatted`
    (every retrieved field again, the highlighted ones marked) and `_geo`. `as_sent`: values
    the document holds as they are (the builder would have left them out)."""
    base = {"id": 7, "title": "Cardiology observership", "kind": "observership",
            "specialty": "Internal medicine", "state": "TX", "city": "Houston",
            "institution_name": "Houston General", "institution_verified": True,
            "published_at": "2026-11-01T10:00:00+00:00", "fee_usd": 500,
            "visa_statuses": ["b1b2"], "open_to": ["graduate"], "payee": "institution",
            "hands_on_level": 2, "reviews": _REVIEWS, "latitude": 29.76, "longitude": -95.37,
            "description": "Rounds with the cardiology team & clinic <days>."}
    doc = build_document({**base, **row}, INDEX_SPEC.bool_fields, INDEX_SPEC.plain_fields)
    doc.update(as_sent or {})
    hit = {k: doc[k] for k in INDEX_SPEC.hit_fields if k in doc and k not in drop}
    formatted = {k: v for k, v in hit.items() if not k.startswith("_")}
    title = str(hit.get("title") or "")
    formatted["title"] = f"{HL_PRE}{title[:10]}{HL_POST}{title[10:]}"
    formatted["description"] = doc.get("description", "")[:30] + "\u2026"
    hit["_formatted"] = {k: (str(v) if k == "id" else v) for k, v in formatted.items()}
    return msgspec.json.encode(hit)


def _shaped_json(raw: bytes, query: SearchQuery) -> bytes:
    struct = answer_types(INDEX_SPEC)[1].decode(b'{"results":[{"hits":[' + raw + b"]}]}")
    from search.answers import _types

    hit = shape_hit(_types(INDEX_SPEC)[3].decode(struct.results[0].hits[0]), query, INDEX_SPEC)
    return _json.encode(hit_struct(hit, BASE))


def _both(raw: bytes, query: SearchQuery = SearchQuery()) -> tuple[bytes, bytes]:
    fast = encoded_api_hit(raw, query.geo, BASE)
    assert fast is not None
    return bytes(fast), _shaped_json(raw, query)


def test_full_sparse_null_and_empty_hits_encode_as_the_shaped_path_does() -> None:
    near = SearchQuery(geo=(29.7, -95.4))
    cases = [
        _engine_hit(),
        _engine_hit(fee_usd=None, visa_statuses=None, open_to=None, payee=None,
                    hands_on_level=None, city=None, latitude=None),
        _engine_hit(drop=("hands_on", "remote", "stipend_usd", "duration_weeks", "payee")),
        _engine_hit(as_sent={"visa_statuses": [], "refund_terms": "", "city": ""}),  # not stated
        _engine_hit(title="<b>Cardi</b> & co"),
    ]
    for raw in cases:
        for query in (SearchQuery(), near):
            fast, shaped = _both(raw, query)
            assert fast == shaped
    first = msgspec.json.decode(_both(cases[0], near)[0])
    assert first["distance_miles"] is not None and first["url"] == f"{BASE}/opportunities/7"
    assert first["institution"] == {"name": "Houston General", "verified": True}
    empty = msgspec.json.decode(_both(cases[3])[0])
    assert empty["visa_statuses"] is None and empty["refund_terms"] == ""  # its "not stated"
    marked = msgspec.json.decode(_both(cases[4])[0])["highlight"]["title"]
    assert marked == "<mark>&lt;b&gt;Cardi&lt;/</mark>b&gt; &amp; co"  # escaped, ours marked


def test_what_it_cannot_take_is_left_to_the_shaped_path() -> None:
    odd = msgspec.json.decode(_engine_hit())
    odd["fee_usd"] = "500"  # another type: an older or hand-made document
    assert encoded_api_hit(msgspec.json.encode(odd), None, BASE) is None
    assert encoded_api_hit(_engine_hit(reviews=None), None, BASE) is None  # looked up
    memo = ApiHits()
    assert memo.encode([msgspec.Raw(_engine_hit()), msgspec.Raw(_engine_hit(reviews=None))],
                       None, BASE) is None


def test_the_memo_keys_on_the_bytes_the_origin_and_the_base_url() -> None:
    memo = ApiHits(max_entries=2)
    a, b = msgspec.Raw(_engine_hit()), msgspec.Raw(_engine_hit(id=8))
    first = memo.encode([a, b], None, BASE)
    assert first is not None and memo.encode([a, b], None, BASE) == first
    assert memo.encode([a], None, BASE)[0] is first[0]  # type: ignore[index]
    near = memo.encode([a], (29.7, -95.4), BASE)
    assert near is not None and b'"distance_miles":null' not in bytes(near[0])
    other = memo.encode([a], None, "https://other.example")
    assert other is not None and b"https://other.example/opportunities/7" in bytes(other[0])
    assert len(memo._entries) == 2  # the oldest aged out
