"""Short labels a card and the listing page print about one listing (a search hit or a store
row): the one-line requirements ("Step 1 · ECFMG · graduated within 5 years"), the posted
date ("Posted 3 Nov 2026"), and where "Back to search" goes. Pure functions, registered as
Jinja filters in board.core.templating.

"Not stated" is never "no": a requirement shows only when the host ticked it, and the line
never claims there is no requirement, only that none is stated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

NO_REQUIREMENT = "No exam requirement stated"
# The exams in the order an IMG takes them, then the certificate that needs both.
_EXAMS = (("usmle_step1_required", "Step 1"), ("usmle_step2ck_required", "Step 2 CK"),
          ("ecfmg_required", "ECFMG"))
# The search page lives at "/"; "Back to search" only ever points there.
SEARCH_PATH = "/"
MAX_BACK_QUERY = 2_000


def _graduated_within(years: int) -> str:
    if years == 0:
        return "graduated this year"
    return f"graduated within {years} year{'s' if years != 1 else ''}"


def requirements_line(item: Mapping[str, Any]) -> str:
    """The stated requirements joined by " · ", or NO_REQUIREMENT when none is stated (every
    exam false or not stated and no graduation limit)."""
    parts = [label for name, label in _EXAMS if item.get(name) is True]
    years = item.get("max_years_since_graduation")
    if years is not None:
        parts.append(_graduated_within(int(years)))
    if not parts:
        return NO_REQUIREMENT
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


def _as_date(value: Any) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.date()
    return value if isinstance(value, dt.date) else None


def posted_label(value: Any) -> str:
    """"Posted 3 Nov 2026" from a date, datetime or ISO text; "" when never published (a
    draft's preview)."""
    day = _as_date(value)
    return f"Posted {day.day} {day:%b %Y}" if day else ""


def back_to_search(referer: str | None, host: str | None, from_param: str | None = None) -> str:
    """Where "Back to search" goes: the search the visitor came from, else "/".

    `from_param` (a `from=/?q=...` on the listing link) wins; otherwise the Referer when it is
    this site's search page. Only a same-origin path to the search page is kept, so neither
    can send the visitor to another site (an open redirect)."""
    for candidate, same_origin_needed in ((from_param, False), (referer, True)):
        if not candidate or len(candidate) > MAX_BACK_QUERY:
            continue
        parts = urlsplit(candidate)
        if same_origin_needed:
            if parts.scheme not in ("http", "https") or not host or parts.netloc != host:
                continue
        elif parts.scheme or parts.netloc or candidate.startswith("//"):
            continue
        if parts.path != SEARCH_PATH:
            continue
        return SEARCH_PATH + ("?" + parts.query if parts.query else "")
    return SEARCH_PATH
