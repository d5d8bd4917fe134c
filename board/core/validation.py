"""Validation of opportunity fields (CONTRACT): one set of rules for web forms, the JSON
API and import files. Input values may be strings (forms, CSV) or JSON-typed values."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from email_validator import EmailNotValidError, validate_email

from board.core import events, vocab
from board.core.derived import derived_values
from board.core.event_rules import event_rules
from board.core.fields import (
    BOOL,
    BY_NAME,
    DATE,
    DATETIME,
    EMAIL,
    INPUT_FIELDS,
    INT,
    LIST,
    TEXT,
    TRISTATE,
    URL,
    names,
)

# Derived from the field spec; kept as names because the forms, the write API and the
# imports look fields up by kind.
FIELDS: tuple[str, ...] = names(INPUT_FIELDS)
BOOL_FIELDS: tuple[str, ...] = tuple(f.name for f in INPUT_FIELDS if f.type == BOOL)
INT_RANGES: dict[str, tuple[int, int]] = {
    f.name: f.int_range for f in INPUT_FIELDS if f.type == INT and f.int_range}
TEXT_LIMITS: dict[str, int] = {
    f.name: f.max_length for f in INPUT_FIELDS if f.type == TEXT and f.max_length}
DATE_FIELDS: tuple[str, ...] = tuple(f.name for f in INPUT_FIELDS if f.type == DATE)
DATETIME_FIELDS: tuple[str, ...] = tuple(f.name for f in INPUT_FIELDS if f.type == DATETIME)
LIST_FIELDS: tuple[str, ...] = tuple(f.name for f in INPUT_FIELDS if f.type == LIST)
TRISTATE_FIELDS: tuple[str, ...] = tuple(f.name for f in INPUT_FIELDS if f.type == TRISTATE)
_VOCABULARY: dict[str, str] = {f.name: f.vocabulary for f in INPUT_FIELDS if f.vocabulary}
_TRUE = {"true", "yes", "1", "on", "y"}
_FALSE = {"false", "no", "0", "off", "n", ""}


class ValidationErrors(Exception):
    """Field -> message for every bad field, so a form can show each next to its input."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("must be true or false (also yes/no, 1/0)")


# ASCII digits only: str.isdigit() and int() also take "²", "٣" or "１２", which either
# crash (int("²")) or silently mean a number nobody typed. The length cap keeps int() away
# from its 4300-digit limit (a ValueError with a message about Python, not the field).
_INTEGER = re.compile(r"[+-]?[0-9]{1,30}", re.ASCII)


def parse_int(value: Any, lo: int, hi: int) -> int | None:
    """The one integer parser of search parameters, forms, the API and import files: None
    for blank, else a whole number in [lo, hi] or ValueError with the message for the field."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, bool):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():  # also NaN and infinity
            raise ValueError("must be a whole number")
        value = int(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    elif isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value.strip(), re.ASCII):
        raise ValueError(f"must be between {lo} and {hi}")  # digits, just far too many
    else:
        raise ValueError("must be a whole number")
    if not lo <= number <= hi:
        raise ValueError(f"must be between {lo} and {hi}")
    return number


def parse_tristate(value: Any) -> bool | None:
    """Yes / no / not stated: empty (or "not stated") is None, never False."""
    if value is None or (isinstance(value, str) and value.strip().lower() in {"", "not_stated",
                                                                              "not stated"}):
        return None
    return parse_bool(value)


def _choice(vocabulary: str, value: Any) -> str | None:
    text = "" if value is None else str(value).strip().lower()
    if text in {"", "not_stated"}:
        return None  # not stated
    allowed = vocab.CHOICES[vocabulary]
    if text not in allowed:
        raise ValueError("must be one of " + ", ".join(allowed) + " (or empty: not stated)")
    return text


def _choice_list(vocabulary: str, value: Any) -> list[str] | None:
    """A list from a JSON array or a CSV/form cell `b1b2;j1`; empty means not stated."""
    if value is None:
        return None
    if isinstance(value, str):
        items: list[Any] = [v for v in value.split(";")]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValueError("must be a list of values (in CSV: separated by ';')")
    allowed = vocab.CHOICES[vocabulary]
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError("must be a list of text values")
        text = item.strip().lower()
        if not text:
            continue
        if text not in allowed:
            raise ValueError(f"unknown value {text[:40]!r}; use " + ", ".join(allowed))
        if text not in out:
            out.append(text)
    return [v for v in allowed if v in out] or None  # vocabulary order: equal sets compare equal


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if len(text) > 10:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("must be a date like 2027-01-31") from None


def _datetime(value: Any) -> dt.datetime | None:
    """A moment; one without an offset stays naive here and is read in the event's zone by
    `event_rules.event_rules` (a host types the local time of the event)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("must be a date and time like 2027-01-27T20:00 "
                         "(or with an offset, 2027-01-27T20:00-05:00)") from None


def _url(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    parsed = urlparse(text)
    if parsed.scheme != "https" or not parsed.netloc or " " in text or len(text) > 500:
        raise ValueError("must be an https:// link")
    return text


def clean_email(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid email address ({exc})") from None


def _text(name: str, value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\x00", "").strip()
    if len(text) > TEXT_LIMITS[name]:
        raise ValueError(f"must be at most {TEXT_LIMITS[name]} characters")
    return text


def _clean_field(name: str, value: Any) -> Any:
    if name in BOOL_FIELDS:
        return parse_bool(value)
    if name in TRISTATE_FIELDS:
        return parse_tristate(value)
    if name in INT_RANGES:
        return parse_int(value, *INT_RANGES[name])
    if name in DATE_FIELDS:
        return _date(value)
    if name in DATETIME_FIELDS:
        return _datetime(value)
    if name == "timezone":
        return events.clean_timezone(value)
    if name == "recurrence":
        return events.clean_rrule(value)
    vocabulary = _VOCABULARY.get(name)
    if name in LIST_FIELDS:
        return _choice_list(str(vocabulary), value)
    if vocabulary in vocab.CHOICES:
        return _choice(vocabulary, value)
    if vocabulary == "kinds":
        kind = str(value or "").strip().lower()
        if kind not in vocab.KINDS:
            raise ValueError("must be one of " + ", ".join(vocab.KINDS))
        return kind
    if vocabulary == "specialties":
        found = vocab.canonical_specialty(str(value or ""))
        if not found:
            raise ValueError("must be an ACGME specialty name (for example 'Internal medicine')")
        return found
    if vocabulary == "states":
        state = str(value or "").strip().upper()
        if state and state not in vocab.states():
            raise ValueError("must be a USPS state or territory code such as NY")
        return state
    kind = BY_NAME[name].type
    if kind == URL:
        return _url(value)
    if kind == EMAIL:
        return clean_email(value)
    return _text(name, value)


def validate_opportunity(
    data: Mapping[str, Any], *, existing: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Return clean values for every field given; with `existing` (a PATCH), the fields
    not given keep their current values for the cross-field rules."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in data:
        if name not in FIELDS:
            errors[name] = "is not a known field"
    for name in FIELDS:
        if name in data:
            try:
                clean[name] = _clean_field(name, data[name])
            except ValueError as exc:
                errors[name] = str(exc)
    merged = {**(existing or {}), **clean}
    if existing is None:
        for name in FIELDS:
            merged.setdefault(name, None)
    title = merged.get("title") or ""
    if "title" not in errors and not 5 <= len(title) <= 200:
        errors["title"] = "is required (5 to 200 characters)"
    for name in ("kind", "specialty"):
        if name not in errors and not merged.get(name):
            errors[name] = "is required"
    if "state" not in errors and not merged.get("state") and not merged.get("remote"):
        errors["state"] = "is required unless the opportunity is remote"
    if ("apply_url" not in errors and "apply_email" not in errors
            and not merged.get("apply_url") and not merged.get("apply_email")):
        errors["apply_url"] = "give a https link or an email address (apply_email) for applying"
    start, deadline = merged.get("start_date"), merged.get("application_deadline")
    if start and deadline and "application_deadline" not in errors and deadline > start:
        errors["application_deadline"] = "must not be after the start date"
    expires = clean.get("expires_at")
    today = today or dt.datetime.now(dt.UTC).date()
    if expires and "expires_at" not in errors:
        if expires <= today:
            errors["expires_at"] = "must be in the future"
        elif expires > today + dt.timedelta(days=366):
            errors["expires_at"] = "must be within a year"
    _money_and_letter_rules(merged, errors)
    event_rules(merged, clean, errors)
    if errors:
        raise ValidationErrors(errors)
    if existing is None:
        for name in BOOL_FIELDS:
            clean.setdefault(name, False)
    # The legacy yes/no facts follow their stated sources, and the total is recomputed on
    # every write (a PATCH of the deposit changes it too).
    clean.update(derived_values({**merged, **clean}))
    return clean


def _money_and_letter_rules(merged: Mapping[str, Any], errors: dict[str, str]) -> None:
    if ("intermediary_name" not in errors and merged.get("payee") == "intermediary"
            and not merged.get("intermediary_name")):
        errors["intermediary_name"] = ("is required when the payee is an intermediary: "
                                       "name the company that receives the money")
    letters, participants = merged.get("letters_last_year"), merged.get("participants_last_year")
    if ("letters_last_year" not in errors and "participants_last_year" not in errors
            and letters is not None and participants is not None and letters > participants):
        errors["letters_last_year"] = "must not be more than participants_last_year"
