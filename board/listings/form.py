"""The listing form's side of validation: what a posted form means (yes/no answers, a typed
specialty), and errors as people read them (a label instead of a field name, in the order
of the form). The rules themselves are board.core.validation's, shared with the API and
the imports.

"Not stated" is never "no": the browser form asks every yes/no fact as a choice nobody has
made yet, and a skipped one is an error, not a silent "No". Clients that post without the
form's marker (scripts, old tests) keep the API's meaning: an absent boolean is false."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from board.core.derived import as_list
from board.core.event_listing import form_time
from board.core.fields import BY_NAME, form_sections
from board.core.synonyms import resolve_specialty, suggest_specialty
from board.core.validation import (
    BOOL_FIELDS,
    FIELDS,
    LIST_FIELDS,
    TRISTATE_FIELDS,
)
from board.indexing.gateway import as_utc

# The hidden input the rendered form carries: "the poster was asked every yes/no question".
FORM_MARKER = "_asked"
# A derived yes/no fact needs no answer when its detailed source is stated (it follows it).
DERIVED_FROM = {"hands_on": "hands_on_level", "lor_offered": "lor_policy",
                "b1b2_accepted": "visa_statuses"}
NOT_STATED = "not_stated"
EVENT_ONLY = frozenset({"online", "join_url_public"})
CHOOSE_YES_NO = "choose Yes or No"
CHOOSE_TRISTATE = "choose Yes, No or Not stated"


def form_values(row: dict[str, Any]) -> dict[str, Any]:
    """A stored listing as the form shows it (dates as ISO strings, None as empty, yes/no
    facts as the radio buttons' values)."""
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = row.get(name)
        if name == "expires_at" and value is not None:
            value = (as_utc(value) - dt.timedelta(seconds=1)).date()  # stored as end of that day
        if name in LIST_FIELDS:
            values[name] = as_list(value) or []
        elif name in ("starts_at", "ends_at"):  # an event's local time, in its own zone
            values[name] = form_time(row, name)
        elif name in BOOL_FIELDS:
            values[name] = "true" if value else "false"
        elif name in TRISTATE_FIELDS:
            values[name] = NOT_STATED if value is None else ("true" if value else "false")
        else:
            values[name] = "" if value is None else str(value)
    return values


def submitted(form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """(the data to validate, the form-only errors: unanswered yes/no questions and a
    specialty no name or synonym matches)."""
    asked = FORM_MARKER in form
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in FIELDS:
        if name in LIST_FIELDS:  # ticked boxes; none ticked = not stated
            data[name] = [str(v)[:100] for v in form.getall(name, [])][:20]
        else:
            data[name] = str(form.get(name) or "")[:25_000]
    is_event = data.get("kind", "").strip() == "event"
    for name in BOOL_FIELDS:
        answer = data[name].strip().lower()
        if name in EVENT_ONLY and not is_event:
            # The event fieldset's questions mean nothing for a rotation: not asked of it.
            data[name] = "false"
        elif not asked:
            data[name] = answer if answer in {"true", "false"} else str(name in form).lower()
        elif answer not in {"true", "false"} and not _source_stated(name, data):
            errors[name] = CHOOSE_YES_NO
    for name in TRISTATE_FIELDS:
        if asked and not data[name].strip():
            errors[name] = CHOOSE_TRISTATE
    typed = data.get("specialty", "").strip()
    if typed:
        resolved = resolve_specialty(typed)
        if resolved:
            data["specialty"] = resolved
        else:
            guess = suggest_specialty(typed)
            errors["specialty"] = (f"“{typed[:60]}” is not on the ACGME list"
                                   + (f": did you mean “{guess}”?" if guess else
                                      ": pick a name from the list"))
    return data, errors


def _source_stated(name: str, data: dict[str, Any]) -> bool:
    source = DERIVED_FROM.get(name)
    if source is None:
        return False
    value = data.get(source)
    return bool(value) and value != NOT_STATED


def _form_order() -> dict[str, int]:
    order: list[str] = [f.name for _, _, fields in form_sections() for f in fields]
    return {name: i for i, name in enumerate(order)}


_NAMES = re.compile(r"\b(" + "|".join(sorted(FIELDS, key=len, reverse=True)) + r")\b")


def humane(message: str) -> str:
    """A rule's message with field names replaced by the labels the form shows."""
    return _NAMES.sub(lambda m: f"“{BY_NAME[m.group(1)].label}”", message)


def ordered_errors(errors: dict[str, str]) -> dict[str, str]:
    """Errors in the order of the form's fields (the summary lists them top to bottom),
    in people's words."""
    order = _form_order()
    return {name: humane(errors[name])
            for name in sorted(errors, key=lambda n: order.get(n, len(order)))}


def error_list(errors: dict[str, str]) -> list[tuple[str, str, str]]:
    """(field name, its label, message) for the error summary."""
    return [(name, BY_NAME[name].label if name in BY_NAME else name.replace("_", " "), message)
            for name, message in errors.items()]
