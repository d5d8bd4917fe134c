"""Listings side by side (/compare?ids=1,2,3): the ids parsed and checked, the listings
loaded, and one row per fact with one cell per listing, each cell the text a visitor reads
("Not stated" as such, never "no" or 0) and whether the row's values differ.

Pure except `load`: the handler (board.planner.views) only glues these together."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from board.browse import profile as saved_profile
from board.browse.eligibility import NOT_ELIGIBLE, UNKNOWN, Profile, assess
from board.browse.params import ParamError, param_values, parse_profile
from board.core.facts import NOT_STATED, choice, choices, hands_on_level_label, usd
from board.listings.status import Status
from board.listings.visibility import is_visible
from board.store.tables import Opportunity

MIN_IDS, MAX_IDS = 2, 4
MAX_ROW_ID = 2**31 - 1


@dataclass(frozen=True)
class Cell:
    text: str
    # The eligibility row only: the verdict ("eligible" ...) and the visa-fit warnings.
    verdict: str | None = None
    warnings: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class FactRow:
    key: str
    label: str
    cells: tuple[Cell, ...]
    differs: bool = field(init=False)

    def __post_init__(self) -> None:
        # Differences are judged on the text a visitor reads (and the verdict), so two
        # listings that both say "Not stated" do not differ.
        object.__setattr__(self, "differs", len({(c.text, c.verdict) for c in self.cells}) > 1)


def parse_ids(params: Mapping[str, Any]) -> list[int]:
    """`ids=1,2,3` or `ids=1&ids=2` (or both), duplicates dropped; ParamError("ids", ...)
    for anything but 2 to 4 listing numbers."""
    parts = [p.strip() for value in param_values(params, "ids") for p in value.split(",")]
    parts = [p for p in parts if p]
    bad = [p for p in parts if not p.isdigit() or not 0 < int(p) <= MAX_ROW_ID]
    if bad:
        raise ParamError("ids", f"{', '.join(b[:20] for b in bad[:3])}: not a listing number")
    ids = list(dict.fromkeys(int(p) for p in parts))
    if len(ids) < MIN_IDS:
        raise ParamError("ids", f"choose at least {MIN_IDS} listings to compare "
                         f"(got {len(ids)})")
    if len(ids) > MAX_IDS:
        raise ParamError("ids", f"compare at most {MAX_IDS} listings at once (got {len(ids)})")
    return ids


async def load(ids: Sequence[int]) -> tuple[list[dict[str, Any]], list[int]]:
    """The listings that are or were public (published once, never removed), in the order
    asked, and the ids that are not (unknown, drafts, pending, removed)."""
    rows = await Opportunity.select(
        Opportunity.all_columns(),
        Opportunity.institution.name.as_alias("institution_name"),
        Opportunity.institution.verified.as_alias("institution_verified"),
    ).where(Opportunity.id.is_in(list(ids)) & Opportunity.published_at.is_not_null()
            & (Opportunity.status != Status.REMOVED)
            # A suspended institution's listings are hidden from the public everywhere.
            & Opportunity.institution.suspended_at.is_null()).output(load_json=True).run()
    by_id = {r["id"]: r for r in rows}
    return [by_id[i] for i in ids if i in by_id], [i for i in ids if i not in by_id]


def visitor_profile(query: Mapping[str, Any], cookie: str | None,
                    stored: str | None = None) -> Profile:
    """The profile of the URL, else the search page's cookie, else the one the planner
    keeps (JSON of the same parameters); an unusable one counts as none."""
    given = saved_profile.params_of(query) or saved_profile.decode(cookie)
    if not given and stored:
        try:
            raw = json.loads(stored)
            given = saved_profile.params_of(raw) if isinstance(raw, dict) else {}
        except ValueError:
            given = {}
    try:
        return parse_profile(given)
    except ParamError:
        return Profile()


def status_label(row: Mapping[str, Any], now: dt.datetime) -> str:
    if row["status"] == Status.CLOSED:
        return "Closed"
    if row["status"] == Status.EXPIRED or not is_visible(dict(row), now):
        return "Expired"
    full = row.get("full_until")
    if full and full >= now.date():
        return f"Full until {full.isoformat()}"
    return "Open"


def _day(value: Any) -> str:
    if value is None:
        return NOT_STATED
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()


def _payee(row: Mapping[str, Any]) -> str:
    if row.get("payee") == "intermediary":
        name = str(row.get("intermediary_name") or "").strip()
        return f"{name} (an intermediary)" if name else "An intermediary (name not stated)"
    return choice(row.get("payee"), "payees")


def _letter(row: Mapping[str, Any]) -> str:
    if row.get("lor_policy"):
        return choice(row["lor_policy"], "lor_policies")
    return "A letter is possible (policy not stated)" if row.get("lor_offered") else NOT_STATED


def _figures(row: Mapping[str, Any]) -> str:
    people, letters = row.get("participants_last_year"), row.get("letters_last_year")
    if people is None and letters is None:
        return NOT_STATED
    return (f"{people if people is not None else 'not stated'} participants, "
            f"{letters if letters is not None else 'not stated'} letters")


def _visa(row: Mapping[str, Any]) -> str:
    text = choices(row.get("visa_statuses"), "visa_statuses")
    if row.get("visa_statuses") is None and row.get("b1b2_accepted"):
        text += "; B-1/B-2 visitors accepted"
    return text + ("; J-1 sponsored" if row.get("j1_sponsored") else "")


def _dates(row: Mapping[str, Any]) -> str:
    start = row.get("start_date")
    weeks = row.get("duration_weeks")
    text = f"Starts {start.isoformat()}" if start else "Start not stated"
    return text + (f", {weeks} weeks" if weeks else ", length not stated")


def _reviews(summary: Mapping[str, Any] | None) -> str:
    if not summary or not summary.get("count"):
        return "No reviews yet"
    count = summary["count"]
    if summary.get("rating") is None:
        return f"{count} review{'s' if count != 1 else ''} (scores shown from 3)"
    text = f"{summary['rating']} of 5 from {count} reviews"
    if summary.get("letter_rate") is not None:
        text += f"; {round(summary['letter_rate'] * 100)}% who asked got a letter"
    return text


def _eligibility(row: Mapping[str, Any], profile: Profile, year: int) -> Cell:
    if not profile:
        return Cell("No profile given")
    verdict = assess(profile, row, year)
    reasons = "; ".join(verdict.reasons)
    if verdict.verdict == NOT_ELIGIBLE:
        text = f"Not eligible: {reasons}"
    elif verdict.verdict == UNKNOWN:
        text = f"Unknown: {reasons}"
    else:
        text = "You meet the stated requirements"
    return Cell(text, verdict.verdict, verdict.warnings)


def fact_rows(rows: Sequence[Mapping[str, Any]], profile: Profile, now: dt.datetime,
              reviews: Mapping[int, Mapping[str, Any]]) -> list[FactRow]:
    """The comparison table, one FactRow per fact in reading order."""
    facts: list[tuple[str, str, Any]] = [
        ("status", "Status", lambda r: status_label(r, now)),
        ("total_cost", "Total cost", lambda r: usd(r.get("total_cost_usd"))),
        ("refund", "Refund policy", lambda r: choice(r.get("refund_policy"), "refund_policies")),
        ("payee", "Who receives the money", _payee),
        ("letter", "Letter policy", _letter),
        ("figures", "Last year (host's figures)", _figures),
        ("hands_on", "Hands-on level", lambda r: hands_on_level_label(r.get("hands_on_level"))),
        ("setting", "Setting", lambda r: choice(r.get("setting"), "settings")),
        ("hours", "Hours per week", lambda r: str(r["hours_per_week"])
         if r.get("hours_per_week") is not None else NOT_STATED),
        ("visa", "Visa statuses accepted", _visa),
        ("dates", "Dates", _dates),
        ("deadline", "Application deadline", lambda r: _day(r.get("application_deadline"))),
        ("confirmed", "Host confirmed it is open", lambda r: _day(r.get("confirmed_at"))
         if r.get("confirmed_at") else "Not confirmed since publishing"),
        ("reviews", "Reviews", lambda r: _reviews(reviews.get(r["id"]))),
    ]
    out = [FactRow(key, label, tuple(Cell(fn(r)) for r in rows)) for key, label, fn in facts]
    out.insert(10, FactRow("eligibility", "Your eligibility",
                           tuple(_eligibility(r, profile, now.year) for r in rows)))
    return out


def url_without(ids: Sequence[int], drop: int) -> str:
    """The comparison without one listing (offered while more than two remain)."""
    return "/compare?ids=" + ",".join(str(i) for i in ids if i != drop)
