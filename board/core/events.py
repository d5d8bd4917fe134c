"""The `event` kind's time rules, pure: cleaning a time zone and an RFC 5545 RRULE, the next
occurrence of a (recurring) event, when its last occurrence ends, and how a rule reads
("Every other month on the 4th Wednesday"). dateutil computes occurrences; neither it nor
icalendar puts a rule into words, so `describe_rrule` does that for the common cases and
falls back to the rule itself."""

from __future__ import annotations

import datetime as dt
from collections import deque
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import rrule, rrulestr

# The search document looks this far ahead for a recurring event's next occurrence.
_HORIZON = dt.timedelta(days=3 * 366)
MAX_COUNT = 1000
# The last occurrence of an UNTIL rule is found by walking it; this caps the walk.
_MAX_WALK = 20_000


def clean_timezone(value: object) -> str:
    """An IANA zone name ("America/New_York"); "" when empty; ValueError otherwise."""
    text = str(value or "").strip()
    if not text:
        return ""
    # available_timezones() keeps out names ZoneInfo would also read from a file path.
    if text not in _zones():
        raise ValueError("must be an IANA time zone name such as America/New_York")
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone name such as America/New_York") from None
    return text


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def clean_rrule(value: object) -> str:
    """An RFC 5545 RRULE, with or without its "RRULE:" prefix, stored without it; "" = once."""
    text = str(value or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:].strip()
    if not text:
        return ""
    if "\n" in text or "\r" in text or len(text) > 300:
        raise ValueError("must be one RRULE line such as FREQ=MONTHLY;INTERVAL=2;BYDAY=4WE")
    parts = _parts(text)
    if "FREQ" not in parts:
        raise ValueError("must start with FREQ=, e.g. FREQ=WEEKLY;BYDAY=WE")
    if "DTSTART" in parts:
        raise ValueError("must not hold DTSTART: the start is starts_at")
    # At most one occurrence a day, and a bounded COUNT: computing the next occurrence walks
    # the rule from its start, so an hourly or per-second rule would be a denial of service.
    if parts["FREQ"] not in _FREQ:
        raise ValueError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    if {"BYHOUR", "BYMINUTE", "BYSECOND"} & set(parts):
        raise ValueError("must not set BYHOUR, BYMINUTE or BYSECOND: the time is starts_at")
    if "COUNT" in parts and not (parts["COUNT"].isdigit() and 1 <= int(parts["COUNT"]) <= MAX_COUNT):
        raise ValueError(f"COUNT must be between 1 and {MAX_COUNT}")
    if "UNTIL" in parts and not parts["UNTIL"].endswith("Z"):
        raise ValueError("UNTIL must be a UTC time ending in Z, e.g. UNTIL=20271231T235959Z")
    try:
        rrulestr(text, dtstart=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"is not a valid RFC 5545 RRULE ({exc})") from None
    return text.upper()


def _parts(rule: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for piece in rule.split(";"):
        key, _, value = piece.partition("=")
        if key.strip():
            out[key.strip().upper()] = value.strip().upper()
    return out


def _rule(rule: str, starts_at: dt.datetime, zone: str) -> rrule:
    """The rule over local wall-clock times of the host's zone (a 20:00 chat stays at 20:00
    across daylight saving), as aware datetimes."""
    local = starts_at.astimezone(ZoneInfo(zone or "UTC"))
    return rrulestr(rule, dtstart=local)  # type: ignore[return-value]


def next_occurrence(starts_at: dt.datetime | None, ends_at: dt.datetime | None, rule: str,
                    zone: str, now: dt.datetime) -> dt.datetime | None:
    """The start of the first occurrence that has not ended by `now` (an event under way
    still shows), or None when every occurrence is over."""
    if starts_at is None:
        return None
    length = (ends_at - starts_at) if ends_at else dt.timedelta(0)
    if not rule:
        return starts_at if starts_at + length > now else None
    occurrences = _rule(rule, starts_at, zone)
    found = occurrences.after(now - length, inc=False)
    if found is None or found > now + _HORIZON:
        return None
    return found


def last_end(starts_at: dt.datetime | None, ends_at: dt.datetime | None, rule: str,
             zone: str) -> dt.datetime | None:
    """When the last occurrence ends; None when the rule repeats without end."""
    if starts_at is None:
        return None
    length = (ends_at - starts_at) if ends_at else dt.timedelta(0)
    if not rule:
        return starts_at + length
    parts = _parts(rule)
    if "UNTIL" not in parts and "COUNT" not in parts:
        return None
    tail = deque(islice(_rule(rule, starts_at, zone), _MAX_WALK), maxlen=1)
    return (tail[0] + length) if tail else starts_at + length


_FREQ = {"DAILY": ("day", "Daily"), "WEEKLY": ("week", "Weekly"),
         "MONTHLY": ("month", "Monthly"), "YEARLY": ("year", "Yearly")}
_DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
         "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}
_ORDINAL = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last", -2: "second to last"}


def _every(freq: str, interval: int) -> str:
    unit, alone = _FREQ[freq]
    if interval == 1:
        return alone if freq != "DAILY" else "Every day"
    if interval == 2:
        return f"Every other {unit}"
    return f"Every {interval} {unit}s"


def _day(token: str) -> tuple[int | None, str]:
    """"4WE" -> (4, "Wednesday"); "WE" -> (None, "Wednesday"); KeyError when unknown."""
    code = token[-2:]
    number = token[:-2]
    return (int(number) if number else None), _DAYS[code]


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe_rrule(rule: str) -> str:
    """A rule in words for the common FREQ/INTERVAL/BYDAY/BYSETPOS/BYMONTHDAY/COUNT/UNTIL
    cases ("Every other month on the 4th Wednesday"); the raw rule for anything else."""
    if not rule:
        return ""
    try:
        return _describe(_parts(rule))
    except (KeyError, ValueError):
        return f"Repeats: {rule}"


_KNOWN = {"FREQ", "INTERVAL", "BYDAY", "BYSETPOS", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"}


def _describe(parts: dict[str, str]) -> str:
    if set(parts) - _KNOWN:
        raise KeyError("an unusual rule part")
    freq = parts["FREQ"]
    text = _every(freq, int(parts.get("INTERVAL", "1")))
    days = [_day(t) for t in parts["BYDAY"].split(",")] if parts.get("BYDAY") else []
    setpos = parts.get("BYSETPOS")
    if setpos and (len(setpos.split(",")) > 1 or any(n for n, _ in days)):
        raise ValueError("BYSETPOS with several positions")
    if setpos:
        days = [(int(setpos), name) for _, name in days] if len(days) == 1 else []
        if not days:
            raise ValueError("BYSETPOS over several days")
    if days:
        if freq not in ("WEEKLY", "MONTHLY") and any(n for n, _ in days):
            raise ValueError("a numbered day outside a month")
        names = [f"the {_ORDINAL[n]} {name}" if n else name for n, name in days]
        text += " on " + _join(names)
    elif parts.get("BYMONTHDAY") and freq == "MONTHLY":
        numbers = [int(d) for d in parts["BYMONTHDAY"].split(",")]
        text += " on the " + _join([_ORDINAL.get(d, f"{d}th") if d < 0 else _nth(d)
                                    for d in numbers])
    if parts.get("COUNT"):
        text += f", {int(parts['COUNT'])} times"
    elif parts.get("UNTIL"):
        until = parts["UNTIL"][:8]
        text += f", until {until[:4]}-{until[4:6]}-{until[6:8]}"
    return text


def _nth(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"
