"""How a listing's facts read (cards, the listing page, the feed, the digest): "not stated"
is said as such, never as "free" or "no". Pure functions over stored values; also the Jinja
filters `usd`, `total_cost`, `hands_on_level`, `letters` and `choice`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from board.core import vocab
from board.core.derived import as_list

NOT_STATED = "Not stated"


def usd(value: Any) -> str:
    """An amount as a visitor reads it: "Not stated" for None (never "Free"), "Free" for 0."""
    if value is None or value == "":
        return NOT_STATED
    return "Free" if int(value) == 0 else f"${int(value):,}"


def total_cost_label(total: Any) -> str:
    """A card's cost line: what the IMG pays in all, or that the host does not say."""
    if total is None or total == "":
        return "Cost not stated"
    return "Free" if int(total) == 0 else f"Total ${int(total):,}"


def hands_on_level_label(level: Any) -> str:
    if level is None or level == "":
        return NOT_STATED
    return f"Level {int(level)} of 4: " + vocab.choice_label("hands_on_levels", int(level)).lower()


def letter_label(row: Mapping[str, Any]) -> str:
    """The letter policy with the host's own figures, e.g. "A letter on request (12 of 15
    participants last year got a letter)"."""
    policy = row.get("lor_policy")
    text = vocab.choice_label("lor_policies", policy) if policy else (
        "A letter is possible" if row.get("lor_offered") else "Letter policy not stated")
    letters, participants = row.get("letters_last_year"), row.get("participants_last_year")
    if letters is not None and participants:
        text += f" ({letters} of {participants} participants last year got a letter)"
    return text


def choice(value: Any, vocabulary: str) -> str:
    """A stored choice as text ("Not stated" when empty)."""
    if value is None or value == "":
        return NOT_STATED
    return vocab.choice_label(vocabulary, value)


def choices(values: Any, vocabulary: str) -> str:
    """A stored list as text ("B-1/B-2 visitor, J-1"; "Not stated" when empty)."""
    items = as_list(values)
    if not items:
        return NOT_STATED
    return ", ".join(vocab.choice_label(vocabulary, v) for v in items)


FILTERS = {"usd": usd, "total_cost": total_cost_label, "hands_on_level": hands_on_level_label,
           "letters": letter_label, "choice": choice, "choices": choices}
