"""Reading and validating import files: pure functions, no server."""

from __future__ import annotations

import datetime as dt

import pytest

from board.imports.formats import ImportFileError, detect_format, read_rows
from board.imports.services import ImportRejected, validate_rows
from tests.support.import_samples import csv_bytes, json_bytes, sample_rows

TODAY = dt.date(2026, 1, 15)


def test_csv_rows_keep_the_header_names_and_skip_blank_lines():
    data = b"\xef\xbb\xbf" + csv_bytes(sample_rows(3)) + b"\n\n"
    rows = read_rows("listings.csv", data)
    assert len(rows) == 3
    assert rows[0]["title"] == "Imported Internal medicine Opportunity 1"
    assert rows[2]["lor_offered"] == "1"


def test_short_csv_lines_are_padded_and_long_ones_rejected():
    rows = read_rows("a.csv", b"title,kind,city\nA title here,research\n")
    assert rows == [{"title": "A title here", "kind": "research", "city": ""}]
    with pytest.raises(ImportFileError, match="row 1 has 4 cells"):
        read_rows("a.csv", b"title,kind,city\na,b,c,d\n")


def test_csv_booleans_in_every_spelling_are_clean():
    rows = [{"title": "Boolean test listing", "kind": "research", "specialty": "Neurology",
             "state": "NY", "apply_url": "https://x.example.org", "lor_offered": value}
            for value in ("true", "false", "yes", "no", "1", "0", "")]
    cleaned = validate_rows(read_rows("b.csv", csv_bytes(rows, list(rows[0]))), today=TODAY)
    assert [c["lor_offered"] for c in cleaned] == [True, False, True, False, True, False, False]


@pytest.mark.parametrize("name,data", [
    ("a.csv", b"title,kind,colour\n"),
    ("a.json", b'[{"title": "x"}, {"colour": "red"}]'),
])
def test_unknown_columns_are_named(name, data):
    with pytest.raises(ImportFileError, match="unknown column 'colour'"):
        read_rows(name, data)


@pytest.mark.parametrize("name,data,message", [
    ("a.json", b'{"title": "x"}', "must hold a list of objects"),
    ("a.json", b'[{"title": "x"}, 3]', "row 2 is not an object"),
    ("a.json", b'[{"title": "x",}]', "line 1, column"),
    ("a.csv", b"", "empty"),
    ("a.csv", b"title,title\n", "appears twice"),
    ("a.csv", b"title,kind\n", "no listings"),
    ("a.csv", "title\nSão Paulo\n".encode("latin-1"), "not UTF-8"),
])
def test_unreadable_files_say_why(name, data, message):
    with pytest.raises(ImportFileError, match=message):
        read_rows(name, data)


def test_format_is_detected_by_extension_then_content():
    assert detect_format("x.JSON", b"title\n") == "json"
    assert detect_format("upload", b"  [{}]") == "json"
    assert detect_format("upload", b"title,kind\n") == "csv"


def test_every_bad_row_and_field_is_reported_with_one_based_row_numbers():
    rows = sample_rows(8)
    rows[2]["fee_usd"] = "lots"
    rows[6]["kind"] = "holiday"
    rows[6]["apply_url"] = "http://insecure.example.org"
    with pytest.raises(ImportRejected) as caught:
        validate_rows(rows, today=TODAY)
    lines = [p.line() for p in caught.value.problems]
    assert lines == [
        "row 3, field fee_usd: must be a whole number",
        "row 7, field kind: must be one of observership, externship, clerkship, research, mentorship, event",
        "row 7, field apply_url: must be an https:// link",
    ]
    assert caught.value.bad_rows == 2
    assert str(caught.value) == "2 of 8 rows are not valid; nothing was imported"


def test_json_values_may_be_typed():
    rows = [{"title": "Typed JSON listing", "kind": "mentorship", "specialty": "Psychiatry",
             "remote": True, "fee_usd": 0, "duration_weeks": 6, "apply_email": "a@hospital.org"}]
    cleaned = validate_rows(read_rows("x.json", json_bytes(rows)), today=TODAY)
    assert cleaned[0]["remote"] is True and cleaned[0]["duration_weeks"] == 6


def test_a_header_of_200k_columns_is_refused_by_the_cap_not_checked_name_by_name():
    header = ",".join(f"c{i}" for i in range(200_000)).encode()
    with pytest.raises(ImportFileError, match="the header has 200,000 columns"):
        read_rows("wide.csv", header + b"\n")
    with pytest.raises(ImportFileError, match="appears twice"):
        read_rows("dup.csv", b"title,kind,title\n")


def test_a_json_object_of_200k_keys_is_refused_by_the_cap():
    wide = "{" + ",".join(f'"k{i}": 1' for i in range(200_000)) + "}"
    with pytest.raises(ImportFileError, match="row 2 has 200,000 columns"):
        read_rows("wide.json", f'[{{"title": "x"}}, {wide}]'.encode())


def test_unknown_names_are_listed_briefly_in_first_seen_order():
    rows = [{f"x{i}": 1 for i in range(j, j + 5)} for j in range(0, 30, 5)]
    with pytest.raises(ImportFileError) as caught:
        read_rows("many.json", json_bytes(rows))
    message = str(caught.value)
    assert message.startswith("unknown columns 'x0', 'x1'") and "and 20 more" in message


def test_the_row_limit_names_the_hint():
    data = csv_bytes(sample_rows(6))
    with pytest.raises(ImportFileError, match="more than 5 rows: use the CLI"):
        read_rows("a.csv", data, max_rows=5, hint="use the CLI")
    assert len(read_rows("a.csv", data, max_rows=6)) == 6
