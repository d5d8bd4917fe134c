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
# Every column is a distinct field name, so a real header is never longer than the field
# list; the cap refuses a 200k-column header or 200k-key object before anything looks at it.
MAX_COLUMNS = 2 * len(FIELDS)
# Unknown names shown in the message: the first few say what is wrong.
SHOWN_NAMES = 10


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
    known = set(FIELDS)
    unknown = [c for c in columns if c not in known]
    if unknown:
        names = ", ".join(repr(c[:60]) for c in unknown[:SHOWN_NAMES])
        more = f" and {len(unknown) - SHOWN_NAMES} more" if len(unknown) > SHOWN_NAMES else ""
        plural = "s" if len(unknown) > 1 else ""
        raise ImportFileError(f"unknown column{plural} {names}{more}: the columns are the field "
                              "names of the API (title, kind, specialty, state, ...)")


def _check_width(count: int, where: str) -> None:
    if count > MAX_COLUMNS:
        raise ImportFileError(f"{where} has {count:,} columns; a listing has {len(FIELDS)} "
                              "fields, so at most that many columns")


def _too_many(limit: int, hint: str) -> ImportFileError:
    return ImportFileError(f"the file has more than {limit:,} rows: {hint}")


def read_csv(text: str, max_rows: int = MAX_ROWS, hint: str = "split it"
             ) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ImportFileError("the CSV file is empty: the first line must name the columns")
        columns = [h.strip() for h in header]
        blank = [i + 1 for i, c in enumerate(columns) if not c]
        if blank:
            raise ImportFileError(f"column {blank[0]} of the header has no name")
        _check_width(len(columns), "the header")
        seen: set[str] = set()
        for column in columns:  # a set, not list.count() per column: linear in the header
            if column in seen:
                raise ImportFileError(f"column {column[:60]!r} appears twice in the header")
            seen.add(column)
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
            if len(rows) > max_rows:
                raise _too_many(max_rows, hint)
    except csv.Error as exc:
        raise ImportFileError(f"the CSV file cannot be read (line {reader.line_num}: {exc})") from None
    return rows


def _json_int(text: str) -> int | str:
    """Integers as the decoder meets them; past 30 digits the digits stay text, so the row's
    validation names the field (int() of over 4300 digits raises a ValueError about Python)."""
    return int(text) if len(text) <= 30 else text


def read_json(text: str, max_rows: int = MAX_ROWS, hint: str = "split it"
              ) -> list[dict[str, Any]]:
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
    if len(value) > max_rows:
        raise _too_many(max_rows, hint)
    # A dict as an ordered set: `k not in seen` on a list made 200k keys take minutes.
    seen: dict[str, None] = {}
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ImportFileError(f"row {number} is not an object with field names as keys")
        _check_width(len(item), f"row {number}")
        seen.update(dict.fromkeys(item))
    _check_columns(list(seen))
    return value


def read_rows(filename: str, data: bytes, max_rows: int = MAX_ROWS, hint: str = "split it"
              ) -> list[dict[str, Any]]:
    """The rows of the file; ImportFileError past `max_rows`, its message ending in `hint`."""
    text = _decode(data)
    reader = read_json if detect_format(filename, data) == "json" else read_csv
    rows = reader(text, max_rows, hint)
    if not rows:
        raise ImportFileError("the file has no listings")
    return rows
