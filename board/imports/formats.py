"""Reading import files: CSV (a header of CONTRACT field names) or JSON (a list of objects
with the same keys) into a list of plain dicts. Only the file's *shape* is checked here;
the values are validated row by row in board.importer."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from board.core.validation import FIELDS

MAX_ROWS = 100_000


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, syntax, shape, unknown columns)."""


def detect_format(filename: str, data: bytes) -> str:
    """'csv' or 'json', by extension first, then by the first non-blank character."""
    name = filename.lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith((".csv", ".txt")):
        return "csv"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if head in (b"[", b"{") else "csv"


def _decode(data: bytes) -> str:
    try:
        # utf-8-sig: spreadsheet programs often save CSV with a byte-order mark.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"the file is not UTF-8 text (byte {exc.start}): "
                              "save it as UTF-8 CSV or JSON") from None


def _check_columns(columns: list[str]) -> None:
    unknown = [c for c in columns if c not in FIELDS]
    if unknown:
        names = ", ".join(repr(c) for c in unknown)
        plural = "s" if len(unknown) > 1 else ""
        raise ImportFileError(f"unknown column{plural} {names}: the columns are the field names "
                              "of the API (title, kind, specialty, state, ...)")


def read_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ImportFileError("the CSV file is empty: the first line must name the columns")
        columns = [h.strip() for h in header]
        blank = [i + 1 for i, c in enumerate(columns) if not c]
        if blank:
            raise ImportFileError(f"column {blank[0]} of the header has no name")
        duplicated = sorted({c for c in columns if columns.count(c) > 1})
        if duplicated:
            raise ImportFileError(f"column {duplicated[0]!r} appears twice in the header")
        _check_columns(columns)
        rows: list[dict[str, Any]] = []
        for number, record in enumerate(reader, start=1):
            if not any(cell.strip() for cell in record):
                continue  # a trailing blank line is not a row
            if len(record) > len(columns):
                raise ImportFileError(f"row {number} has {len(record)} cells but the header "
                                      f"names {len(columns)} columns")
            rows.append(dict(zip(columns, record + [""] * (len(columns) - len(record)),
                                 strict=True)))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(f"the file has more than {MAX_ROWS:,} rows: split it")
    except csv.Error as exc:
        raise ImportFileError(f"the CSV file cannot be read (line {reader.line_num}: {exc})") from None
    return rows


def _json_int(text: str) -> int | str:
    """Integers as the decoder meets them; past 30 digits the digits stay text, so the row's
    validation names the field (int() of over 4300 digits raises a ValueError about Python)."""
    return int(text) if len(text) <= 30 else text


def read_json(text: str) -> list[dict[str, Any]]:
    try:
        value = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"the JSON file cannot be read (line {exc.lineno}, column "
                              f"{exc.colno}: {exc.msg})") from None
    except RecursionError:
        # '[' * 100000: the decoder recurses per level; a listing is one flat object.
        raise ImportFileError("the JSON file is nested too deeply: it must hold a list of "
                              "flat objects, one per listing") from None
    if not isinstance(value, list):
        raise ImportFileError("the JSON file must hold a list of objects, one per listing")
    if len(value) > MAX_ROWS:
        raise ImportFileError(f"the file has more than {MAX_ROWS:,} rows: split it")
    seen: list[str] = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ImportFileError(f"row {number} is not an object with field names as keys")
        seen.extend(k for k in item if k not in FIELDS and k not in seen)
    _check_columns(seen)
    return value


def read_rows(filename: str, data: bytes) -> list[dict[str, Any]]:
    text = _decode(data)
    rows = read_json(text) if detect_format(filename, data) == "json" else read_csv(text)
    if not rows:
        raise ImportFileError("the file has no listings")
    return rows
