"""What an import error offers next to the bad value: "Cardiology" -> "Cardiovascular
disease" (the shared synonym table), "obsrvership" -> "observership", "Texas" -> "TX"; and
the template CSV a poster downloads (the header from the field spec, one example row that
imports as it is)."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from typing import Any

from board.core import vocab
from board.core.fields import BY_NAME, INPUT_FIELDS, LIST
from board.core.synonyms import suggest_specialty


def _choices(name: str) -> dict[str, str]:
    """The accepted values of a choice field, keyed by what a person might write instead
    (the value itself, its label, a state's name), lower case."""
    vocabulary = BY_NAME[name].vocabulary if name in BY_NAME else None
    if vocabulary == "kinds":
        return {k: k for k in vocab.KINDS}
    if vocabulary == "states":
        return {**{n.lower(): c for c, n in vocab.states().items()},
                **{c.lower(): c for c in vocab.states()}}
    if vocabulary in vocab.CHOICES:
        labels = vocab.CHOICES[vocabulary]
        return {**{text.lower(): value for value, text in labels.items()},
                **{value: value for value in labels}}
    return {}


def _closest(text: str, options: dict[str, str]) -> str:
    key = " ".join(text.strip().lower().split())
    if key in options:
        return options[key]
    close = difflib.get_close_matches(key, list(options), n=1, cutoff=0.6)
    return options[close[0]] if close else ""


def suggest(name: str, value: Any) -> str:
    """The value the poster probably meant for field `name`, or "" when nothing is close."""
    if value is None or isinstance(value, bool | int | float):
        return ""
    if name == "specialty":
        return suggest_specialty(str(value)) or ""
    options = _choices(name)
    if not options:
        return ""
    if BY_NAME[name].type == LIST:
        items = [v for v in (value if isinstance(value, list) else str(value).split(";")) if str(v).strip()]
        fixed = [_closest(str(v), options) or str(v).strip() for v in items]
        guess = ";".join(fixed)
        return guess if guess != ";".join(str(v).strip() for v in items) else ""
    guess = _closest(str(value), options)
    return guess if guess != str(value).strip() else ""


def _example(today: dt.date) -> dict[str, str]:
    start = today + dt.timedelta(days=120)
    return {
        "title": "Internal Medicine Observership", "kind": "observership",
        "specialty": "Internal medicine", "state": "IL", "city": "Chicago",
        "remote": "false", "hands_on": "false",
        "description": "Four weeks on the inpatient medicine service: rounds, clinic, "
                       "case presentations.",
        "duration_weeks": "4", "start_date": start.isoformat(),
        "application_deadline": (start - dt.timedelta(days=60)).isoformat(),
        "application_fee_usd": "100", "fee_usd": "1500", "refund_policy": "partial",
        "refund_terms": "Full refund up to 30 days before the start.", "payee": "institution",
        "lor_offered": "true", "lor_policy": "on_request", "hands_on_level": "1",
        "setting": "inpatient", "hours_per_week": "40", "seats": "2",
        "ecfmg_required": "false", "usmle_step1_required": "true",
        "usmle_step2ck_required": "false", "max_years_since_graduation": "5",
        "visa_statuses": "b1b2", "b1b2_accepted": "true", "j1_sponsored": "false",
        "remote_from_abroad": "false",
        "apply_url": "https://hospital.example.org/observership",
    }


def template_csv(today: dt.date | None = None) -> str:
    """Every input column, in the field spec's order, and one example row."""
    example = _example(today or dt.datetime.now(dt.UTC).date())
    names = [f.name for f in INPUT_FIELDS]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerow([example.get(n, "") for n in names])
    return out.getvalue()
