"""The search document's value shaping (search.documents) on every shape a value arrives in:
the fast paths for the store's own values (aware UTC datetimes, dates, plain text) give what
the general rules give, and a reindex payload stays under the engine's request limit (held
payloads joined too)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import msgspec
import pytest

from board.core.search_spec import INDEX_SPEC
from board.indexing.reindex import fitting, joined, payloads
from search.documents import HL_POST, HL_PRE, _iso, _stamped, build_document, to_timestamp

PLUS5 = dt.timezone(dt.timedelta(hours=5))


@pytest.mark.parametrize(("value", "iso", "stamp"), [
    (dt.datetime(2026, 1, 2, 3, 4, 5, 600, tzinfo=dt.UTC), "2026-01-02T03:04:05.000600Z", 1767323045),
    (dt.datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05Z", 1767323045),  # naive is UTC
    (dt.datetime(2026, 1, 2, 8, 4, 5, tzinfo=PLUS5), "2026-01-02T03:04:05Z", 1767323045),
    (dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=ZoneInfo("UTC")), "2026-01-02T03:04:05Z", 1767323045),
    (dt.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=dt.UTC), "1969-12-31T23:59:59.500000Z", 0),
    (dt.date(2026, 1, 2), "2026-01-02", 1767312000),
    (dt.date(1960, 5, 6), "1960-05-06", -304732800),
    ("2026-01-02", "2026-01-02", 1767312000),
    ("2026-01-02T03:04:05+02:00", "2026-01-02T03:04:05+02:00", 1767315845),
    (None, None, None),
    ("", None, None),
])
def test_dates_and_times_shape_the_same_whatever_their_type(value, iso, stamp):
    assert _iso(value) == iso
    assert to_timestamp(value) == stamp
    assert _stamped(value) == (iso, stamp)


def _row(**values):
    return {"id": 7, "title": "Cardiology observership", "kind": "observership",
            "specialty": "Cardiology", **values}


def test_text_loses_only_the_highlight_sentinels_and_empty_values_are_left_out():
    doc = build_document(_row(description=f"a{HL_PRE}b{HL_POST}c", city=None,
                              refund_terms=f"x{HL_PRE}", payee="", open_to=[], seats=0,
                              remote=None, hands_on=1),
                         INDEX_SPEC.bool_fields, INDEX_SPEC.plain_fields)
    assert doc["description"] == "abc" and doc["city"] == "" and doc["refund_terms"] == "x"
    assert "payee" not in doc and "open_to" not in doc and doc["seats"] == 0
    assert "remote" not in doc and doc["hands_on"] is True  # None stated: not stated
    assert doc["lor_offered"] is False  # a bool the row does not carry at all: False
    assert doc["confirmed_at"] is None and "fee_usd" not in doc


def test_payloads_are_split_under_the_cap_and_keep_every_document_in_order():
    docs = [{"id": n, "text": "x" * 100} for n in range(50)]
    bodies = payloads(docs, cap=1000)
    assert len(bodies) > 1 and all(len(b) <= 1000 for b in bodies)
    assert [d["id"] for b in bodies for d in msgspec.json.Decoder().decode_lines(b)] == list(range(50))
    assert payloads(docs) == [msgspec.json.encode(docs[0]) + b"\n" + b"\n".join(
        msgspec.json.encode(d) for d in docs[1:]) + b"\n"]


def test_held_payloads_are_joined_in_order_into_as_few_bodies_as_fit_the_cap():
    bodies = payloads([{"id": n, "text": "x" * 100} for n in range(50)], cap=1000)
    together = joined(bodies, cap=3000)
    assert 1 < len(together) < len(bodies) and all(len(b) <= 3000 for b in together)
    assert b"".join(together) == b"".join(bodies)
    assert [d["id"] for b in together for d in msgspec.json.Decoder().decode_lines(b)] == \
        list(range(50))
    assert joined(bodies) == [b"".join(bodies)] and joined([]) == []


def test_the_bodies_fitting_one_payload_are_counted_and_at_least_one_goes():
    bodies = [b"x" * 400, b"y" * 400, b"z" * 400]
    assert fitting(bodies, cap=1000) == 2 and fitting(bodies, cap=1200) == 3
    assert fitting(bodies, cap=100) == 1  # one body over the cap still goes (payloads split it)
    assert fitting(bodies) == 3
