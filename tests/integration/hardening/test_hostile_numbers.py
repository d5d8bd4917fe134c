"""Numbers that look like numbers but are not (non-ASCII digits, floats, huge integers) and
documents that are too deep: each answers 400 naming the field, never a 500."""

from __future__ import annotations

import pytest

from board.core.validation import parse_int
from board.imports.formats import ImportFileError, read_rows
from board.imports.services import ImportRejected, validate_rows
from board.store.tables import Subscriber
from tests.support.members import csrf_token

ODD_DIGITS = ["²", "٣", "１２", "1.5", "1e3", "9" * 5000, "-0x10", "½"]


@pytest.mark.parametrize("value", ["²", "٣", "１２", "9" * 5000])
def test_the_one_integer_parser_takes_ascii_digits_only(value):
    with pytest.raises(ValueError, match="whole number|between"):
        parse_int(value, 0, 100_000)
    assert parse_int(" 42 ", 0, 100) == 42 and parse_int("", 0, 1) is None
    assert parse_int(7.0, 0, 10) == 7


@pytest.mark.parametrize("value", ODD_DIGITS)
async def test_search_page_and_api_answer_400_for_odd_digits(client, value):
    for path in ("/", "/api/v1/opportunities", "/feed.atom", "/subscribe"):
        r = await client.get(path, params={"fee_max": value})
        assert r.status_code == 400, (path, r.status_code, r.text[:300])
        assert "fee_max" in r.text


@pytest.mark.parametrize("value", ["²", "٣"])
async def test_subscribe_form_answers_400_for_odd_digits(client, value):
    token = await csrf_token(client, "/login")
    r = await client.post("/subscribe", data={"email": "ann@example.org", "fee_max": value,
                                               "_csrf_token": token})
    assert r.status_code == 400 and "fee_max" in r.text, r.text[:300]
    assert await Subscriber.count().run() == 0


@pytest.mark.parametrize("value", [1.5, 50.0, {"a": 1}, [[1]], [1.5], None, 10 ** 30,
                                   [{"x": "y"}]])
async def test_api_subscription_filter_of_the_wrong_type_is_400_naming_it(client, value):
    r = await client.post("/api/v1/subscriptions",
                          json={"email": "a@example.com", "filters": {"fee_max": value}})
    assert r.status_code in {400, 202}, r.text
    if r.status_code == 400:
        assert r.json()["field"] == "filters.fee_max", r.text


@pytest.mark.parametrize("data", [b"[" * 100_000, b"{\"a\":" * 50_000,
                                  b'[{"title": ' + b"9" * 5000 + b"}]"])
def test_hostile_json_imports_are_file_or_row_errors(data):
    try:
        validate_rows(read_rows("x.json", data))
    except (ImportFileError, ImportRejected) as exc:
        assert str(exc)
    else:
        raise AssertionError("accepted")


def test_a_huge_integer_in_an_import_names_the_row_and_field():
    row = ('{"title": "Cardiology observership", "kind": "observership", "specialty": '
           '"Internal medicine", "state": "NY", "apply_url": "https://a.example.org", "fee_usd": '
           + "9" * 5000 + "}")
    with pytest.raises(ImportRejected) as exc:
        validate_rows(read_rows("x.json", ("[" + row + "]").encode()))
    assert [(p.row, p.field) for p in exc.value.problems] == [(1, "fee_usd")]
    with pytest.raises(ImportRejected) as exc:
        validate_rows(read_rows("x.csv", b"title,fee_usd\nSome title," + b"9" * 5000 + b"\n"))
    assert "fee_usd" in {p.field for p in exc.value.problems}
