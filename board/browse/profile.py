"""The visitor's eligibility profile between visits: a cookie holding the profile parameters
only (no account, nothing else about the visitor), applied to a search as URL parameters so
the URL still holds the whole search. The cookie is plain JSON, base64url-encoded so its
value needs no cookie quoting; whatever it holds is validated like any URL parameter and a
bad value is ignored (the visitor can edit their own cookie, nobody else's)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from board.browse.params import PROFILE_PARAMS, ParamError, given, parse_profile

COOKIE = "profile"
MAX_AGE = 365 * 24 * 3600
MAX_COOKIE = 1000
# The search page's own control: `profile=clear` forgets the profile (see views.search_page).
CLEAR_PARAM = "profile"


def params_of(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """The profile parameters a query string carries, in PROFILE_PARAMS order."""
    return given(params, PROFILE_PARAMS)


def encode(profile: Mapping[str, list[str]]) -> str:
    raw = json.dumps({k: list(v) for k, v in profile.items()}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(value: str | None) -> dict[str, list[str]]:
    """The profile a cookie holds, validated; {} for no cookie or anything unusable."""
    if not value or len(value) > MAX_COOKIE:
        return {}
    try:
        raw = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return {}
    if not isinstance(raw, dict):
        return {}
    try:
        profile = params_of({k: v for k, v in raw.items() if k in PROFILE_PARAMS})
        parse_profile(profile)
    except ParamError:
        return {}
    return profile


def without_profile(params: Any) -> list[tuple[str, str]]:
    """The query string's pairs minus the profile parameters and the clear control."""
    items = params.multi_items() if hasattr(params, "multi_items") else list(params.items())
    drop = {*PROFILE_PARAMS, CLEAR_PARAM, "eligible_only"}
    return [(k, str(v)) for k, v in items if k not in drop]


def with_profile(params: Any, profile: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    """The query string's pairs with the saved profile appended (the URL then holds it)."""
    items = params.multi_items() if hasattr(params, "multi_items") else list(params.items())
    return [*((k, str(v)) for k, v in items), *((k, v) for k, vs in profile.items() for v in vs)]
