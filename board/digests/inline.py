"""Subscribing from the search results: the inline box posts the search form itself (it sits
inside it), so the filters are whatever the visitor is looking at. This module turns that
form into a subscription's filters and tells the box what to offer: "Email me new matches",
or "Update this alert" when the search was opened from a manage page (`alert=<token>`)."""

from __future__ import annotations

from typing import Any

from board.browse.params import FILTER_PARAMS
from board.core import signing
from board.digests.emails import DIGEST_DAY

EMAIL_FIELD = "subscribe_email"
ALERT_PARAM = "alert"


def filters_from_search_form(form: Any) -> dict[str, list[str]]:
    """The search form's filters as a subscription stores them: empty fields, the default
    sort and a radius without a place are the form's furniture, not filters."""
    out: dict[str, list[str]] = {}
    for name in FILTER_PARAMS:
        if name == "sort":
            continue
        values = [str(v) for v in form.getall(name, []) if str(v).strip()]
        if values:
            out[name] = values
    if "near" not in out:
        out.pop("radius_miles", None)
    return out


def valid_alert_token(token: str | None, keys: signing.Keys) -> str | None:
    """The token when its signature holds (the POST checks it against the row again)."""
    if not token or len(token) > 500:
        return None
    try:
        signing.unsign("manage", token, key=keys)
    except (signing.BadToken, TypeError, ValueError):
        return None
    return token


def box_state(request: Any, settings: Any) -> dict[str, Any]:
    """What templates/partials/subscribe_inline.html needs from the search page's request:
    a Jinja global, so the search view does not have to know about the box."""
    alert = valid_alert_token(request.query_params.get(ALERT_PARAM), settings.signing_keys)
    return {"alert": alert, "day": DIGEST_DAY, "email_field": EMAIL_FIELD}
