"""Import round-trips every field, the IMG facts of issue 14 included: a CSV cell `b1b2;j1`
and a JSON array store the same list, an empty cell stores "not stated" (NULL, never 0 or
"no"), and the derived facts (total, lor_offered, hands_on, b1b2_accepted) follow."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest

from board.core.derived import as_list
from board.core.fields import BY_NAME, DATE, LIST
from board.core.validation import FIELDS
from board.imports import services as importer
from board.listings import services as listings
from tests.support.factories import make_institution

SOON = (dt.date.today() + dt.timedelta(days=30)).isoformat()
LATER = (dt.date.today() + dt.timedelta(days=60)).isoformat()
EVERY_FIELD: dict[str, Any] = {
    "title": "Cardiology observership with EHR notes", "kind": "observership",
    "specialty": "Cardiovascular disease", "state": "NY", "city": "New York", "remote": False,
    "hands_on": True, "description": "Rounds and **clinic**.", "duration_weeks": 4,
    "start_date": LATER, "application_deadline": SOON, "application_fee_usd": 100,
    "fee_usd": 1500, "deposit_usd": 899, "refund_policy": "visa_denial_only",
    "refund_terms": "Refund only on a visa denial.", "payee": "intermediary",
    "intermediary_name": "Example Rotations LLC", "stipend_usd": 0, "lor_offered": True,
    "lor_policy": "standard", "participants_last_year": 15, "letters_last_year": 12,
    "hands_on_level": 3, "ehr_access": "write", "setting": "both", "hours_per_week": 40,
    "seats": 2, "ecfmg_required": True, "usmle_step1_required": True,
    "usmle_step2ck_required": False, "max_years_since_graduation": 5,
    "open_to": ["student", "graduate"], "visa_statuses": ["b1b2", "j1"],
    "b1b2_accepted": True, "j1_sponsored": False, "visa_notes": "Ask about J-1.",
    "remote_from_abroad": False, "apply_url": "https://hospital.example.org/apply",
    "apply_email": "gme@hospital.example.org", "expires_at": LATER,
    # The event fields (issue 18), not stated for an observership.
    "starts_at": None, "ends_at": None, "timezone": "", "recurrence": "", "online": False,
    "join_url": "", "join_url_public": False,
}


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(FIELDS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ";".join(v) if isinstance(v, list) else
                         ("true" if v is True else "false" if v is False else v)
                         for k, v in row.items()})
    return out.getvalue().encode()


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name in FIELDS:
        value = row[name]
        if BY_NAME[name].type == LIST:
            value = as_list(value)
        elif BY_NAME[name].type == DATE and value is not None:
            value = value.date() - dt.timedelta(days=1) if name == "expires_at" else value
            value = value.isoformat()
        out[name] = value
    return out


async def test_every_field_round_trips_through_csv_and_json(store):
    assert set(EVERY_FIELD) == set(FIELDS)  # a new field must join this test
    inst = await make_institution("Round Trip Hospital")
    for name, data in (("x.csv", _csv([EVERY_FIELD])), ("x.json", json.dumps([EVERY_FIELD]).encode())):
        result = await importer.import_file(inst, name, data, mode="draft")
        row = await listings.get(result.ids[0])
        assert _stored(row) == EVERY_FIELD, name
        assert row["total_cost_usd"] == 100 + 1500 + 899


async def test_empty_cells_store_not_stated(store):
    inst = await make_institution("Not Stated Hospital")
    given = {"title": "Pediatrics observership", "kind": "observership",
             "specialty": "Pediatrics", "state": "TX", "apply_url": "https://h.example.org/a",
             "hands_on": True, "lor_offered": True, "b1b2_accepted": True}
    sparse = {name: given.get(name, "") for name in FIELDS}
    result = await importer.import_file(inst, "x.csv", _csv([sparse]), mode="draft")
    row = await listings.get(result.ids[0])
    for name in ("fee_usd", "application_fee_usd", "deposit_usd", "refund_policy", "payee",
                 "lor_policy", "hands_on_level", "ehr_access", "setting", "hours_per_week",
                 "seats", "open_to", "visa_statuses", "remote_from_abroad", "total_cost_usd",
                 "participants_last_year", "letters_last_year"):
        assert row[name] is None, name
    # Without a stated source, the legacy booleans stay as the file gave them.
    assert row["hands_on"] and row["lor_offered"] and row["b1b2_accepted"]


async def test_a_list_cell_with_an_unknown_value_names_row_and_field(store):
    inst = await make_institution("Bad Cell Hospital")
    rows = [{**EVERY_FIELD, "visa_statuses": ["b1b2", "tourist"]},
            {**EVERY_FIELD, "payee": "intermediary", "intermediary_name": ""}]
    with pytest.raises(importer.ImportRejected) as exc:
        await importer.import_file(inst, "x.csv", _csv(rows), mode="draft")
    assert {(p.row, p.field) for p in exc.value.problems} == {
        (1, "visa_statuses"), (2, "intermediary_name")}
    assert "tourist" in exc.value.problems[0].line()


async def test_an_event_round_trips_through_csv_and_json(store):
    inst = await make_institution("Event Host")
    event = {**EVERY_FIELD, "kind": "event", "title": "IMG coffee chat", "state": "", "city": "",
             "online": True, "starts_at": "2027-01-27T20:00", "ends_at": "2027-01-27T21:00",
             "timezone": "America/New_York", "recurrence": "RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=4WE",
             "join_url": "https://meet.example.org/chat", "join_url_public": True,
             "start_date": None, "application_deadline": None}
    for name, data in (("x.csv", _csv([event])), ("x.json", json.dumps([event]).encode())):
        result = await importer.import_file(inst, name, data, mode="draft")
        row = await listings.get(result.ids[0])
        starts = row["starts_at"] if row["starts_at"].tzinfo else row["starts_at"].replace(
            tzinfo=dt.UTC)
        assert starts == dt.datetime(2027, 1, 28, 1, 0, tzinfo=dt.UTC), name
        assert row["recurrence"] == "FREQ=MONTHLY;INTERVAL=2;BYDAY=4WE" and row["online"]
        assert row["join_url_public"] is True and row["timezone"] == "America/New_York"
    with pytest.raises(importer.ImportRejected) as exc:
        await importer.import_file(inst, "x.csv", _csv([{**event, "timezone": "Eastern"}]),
                                   mode="draft")
    assert [(p.row, p.field) for p in exc.value.problems] == [(1, "timezone")]
