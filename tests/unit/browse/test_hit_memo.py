"""search.answers.HitMemo: hits shaped once per exact engine bytes, shared read-only."""

from __future__ import annotations

import msgspec

from board.core.search_spec import INDEX_SPEC
from search.answers import HitMemo, answer_types, shape_hit
from search.documents import HL_POST, HL_PRE
from search.query import SearchQuery


def _answer(*hits: dict) -> list[msgspec.Raw]:
    body = msgspec.json.encode({"results": [{"hits": list(hits)}]})
    return answer_types(INDEX_SPEC)[1].decode(body).results[0].hits


def _hit(id_: int, title: str, **extra) -> dict:
    return {"id": id_, "title": title, "city": "Houston", "institution_name": "Mercy",
            "_formatted": {"title": f"{HL_PRE}{title}{HL_POST}", "city": "Houston"}, **extra}


def test_the_same_bytes_give_the_same_shaped_hit_and_a_change_gives_a_new_one():
    memo, query = HitMemo(), SearchQuery()
    first = memo.shape(_answer(_hit(1, "Cardiology"), _hit(2, "Surgery")), query, INDEX_SPEC)
    again = memo.shape(_answer(_hit(1, "Cardiology")), query, INDEX_SPEC)
    assert again[0] is first[0]
    assert first[0] == shape_hit(_hit(1, "Cardiology"), query, INDEX_SPEC)
    assert first[0]["highlight"]["title"] == "<mark>Cardiology</mark>"
    # The same listing, edited: a new shape, never the stale one.
    edited = memo.shape(_answer(_hit(1, "Cardiology", fee_usd=300)), query, INDEX_SPEC)
    assert edited[0] is not first[0] and edited[0]["fee_usd"] == 300


def test_distance_depends_on_the_search_origin():
    memo = HitMemo()
    raw = _hit(1, "Cardiology", _geo={"lat": 29.76, "lng": -95.36})
    near = memo.shape(_answer(raw), SearchQuery(geo=(29.76, -95.36)), INDEX_SPEC)[0]
    far = memo.shape(_answer(raw), SearchQuery(geo=(40.71, -74.0)), INDEX_SPEC)[0]
    assert near["distance_miles"] == 0.0 and far["distance_miles"] > 1000


def test_old_entries_age_out_and_zero_keeps_nothing():
    memo, query = HitMemo(max_entries=2), SearchQuery()
    a = memo.shape(_answer(_hit(1, "A")), query, INDEX_SPEC)[0]
    memo.shape(_answer(_hit(2, "B"), _hit(3, "C")), query, INDEX_SPEC)
    assert memo.shape(_answer(_hit(1, "A")), query, INDEX_SPEC)[0] is not a
    off = HitMemo(max_entries=0)
    once = off.shape(_answer(_hit(1, "A")), query, INDEX_SPEC)[0]
    assert off.shape(_answer(_hit(1, "A")), query, INDEX_SPEC)[0] is not once
    assert once == a
