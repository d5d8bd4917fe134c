"""Search parameters (CONTRACT) -> a validated SearchQuery, shared by the search page, the
JSON API, the Atom feed and digest subscriptions. Every error names its parameter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Mapping
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlencode

from board.browse.eligibility import VISA_STATUSES, Profile
from board.core import vocab
from board.core.fields import FACET_FIELDS
from board.core.geo import GeoError, locate
from board.core.search_spec import BOOLEAN_FACETS, FACETS
from board.core.synonyms import resolve_specialty
from board.core.validation import parse_int
from board.settings import DEFAULT_RECONFIRM_DAYS, DEFAULT_RECONFIRM_GRACE_DAYS
from search.query import SORT_NAMES, SearchQuery

# Facets over a vocabulary of board.core.vocab.CHOICES (payee, refund_policy, open_to...).
CHOICE_FACETS: dict[str, str] = {f.name: f.vocabulary for f in FACET_FIELDS
                                 if f.vocabulary in vocab.CHOICES}
LIST_PARAMS = ("kind", "specialty", "state", *BOOLEAN_FACETS, *CHOICE_FACETS, "usmle")
SCALAR_PARAMS = ("q", "fee_max", "cost_max", "hands_on_min", "graduation_year",
                 "ecfmg_certified", "visa", "student", "eligible_only", "near", "radius_miles",
                 "sort", "page", "per_page", "confirmed_within_days")
# The eligibility profile: with any of these, hits carry a verdict (board.browse.eligibility).
PROFILE_PARAMS = ("graduation_year", "usmle", "ecfmg_certified", "visa", "student")
FILTER_PARAMS = tuple(p for p in (*LIST_PARAMS, *SCALAR_PARAMS) if p not in {"page", "per_page"})
ALL_PARAMS = frozenset((*LIST_PARAMS, *SCALAR_PARAMS))
MAX_Q = 200


# What the search page says for a bad value, in people's words (the JSON API keeps naming
# the parameter: `message`). A parameter not listed here gets DEFAULT_HUMAN.
HUMAN: dict[str, str] = {
    "q": f"Shorten your search to {MAX_Q} characters or fewer.",
    "graduation_year": "Enter a 4-digit year, like 2019.",
    "fee_max": "Enter a fee in whole US dollars, like 500 (0 for free ones only).",
    "cost_max": "Enter a total cost in whole US dollars, like 1500.",
    "hands_on_min": "Choose a hands-on level from the list.",
    "radius_miles": "Choose a distance from the list.",
    "sort": "Choose an order from the list.",
    "page": "That page number does not exist: go to the first page.",
    "per_page": "Choose how many results a page shows (1 to 50).",
    "confirmed_within_days": "Enter a number of days, like 30.",
    "usmle": "\u201cNone yet\u201d cannot be combined with a step you passed.",
    "visa": "Choose your visa status from the list.",
    "state": "Choose states from the list.",
    "specialty": "Choose specialties from the list (like Internal medicine).",
}
DEFAULT_HUMAN = "Choose a value from the list."


class ParamError(ValueError):
    """A bad search parameter. `message` names the rule (for the API); `human` says it in
    people's words at the form field `field` (which may differ from `param`: Nearest without
    a place is fixed in the Near box); `suggestions` are values to offer ("Houston, TX")."""

    def __init__(self, param: str, message: str, *, human: str | None = None,
                 field: str | None = None, suggestions: tuple[str, ...] = ()):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message
        self.human = human or HUMAN.get(param, DEFAULT_HUMAN)
        self.field = field or param
        self.suggestions = suggestions


def param_values(params: Mapping[str, Any], name: str) -> list[str]:
    """Every non-empty value of a parameter, as text, from a multi-dict or a plain mapping."""
    getall = getattr(params, "getall", None)
    if getall is not None:
        raw = getall(name, [])
    else:
        raw = params.get(name, [])
    if raw == []:  # most of a search's ~35 parameters are absent
        return []
    if isinstance(raw, str | int | bool):
        raw = [raw]
    elif raw is None:
        raw = []
    if not isinstance(raw, list | tuple):  # a float, an object... from a JSON body
        raise ParamError(name, "must be text or a list of text")
    out: list[str] = []
    for value in raw:
        if not isinstance(value, str | int | bool):
            raise ParamError(name, "must be text or a list of text")
        if isinstance(value, int) and value.bit_length() > 100:  # str() fails past 4300 digits
            raise ParamError(name, "is far too large")
        text = str(value).strip() if not isinstance(value, bool) else str(value).lower()
        if text:
            out.append(text)
    return out


def _one(params: Mapping[str, Any], name: str) -> str | None:
    if name not in params:  # most of a search's ~35 parameters: skip the checks
        return None
    values = param_values(params, name)
    if len(values) > 1 and len(set(values)) > 1:
        raise ParamError(name, "give this parameter once")
    return values[0] if values else None


def _int(params: Mapping[str, Any], name: str, lo: int, hi: int) -> int | None:
    try:
        return parse_int(_one(params, name), lo, hi)
    except ValueError as exc:
        raise ParamError(name, str(exc)) from None


def _bool(params: Mapping[str, Any], name: str) -> bool | None:
    value = _one(params, name)
    if value is None:
        return None
    if value.lower() in {"true", "1", "yes", "on"}:
        return True
    if value.lower() in {"false", "0", "no", "off"}:
        return False
    raise ParamError(name, "must be true or false")


def _choices(params: Mapping[str, Any], name: str, allowed: Container[str],
             canon=None) -> tuple[str, ...]:
    if name not in params:
        return ()
    out: list[str] = []
    for value in param_values(params, name):
        value = canon(value) if canon else value
        if value not in allowed:
            raise ParamError(name, f"unknown value {str(value)[:60]!r}")
        if value not in out:
            out.append(value)
    return tuple(out)


def parse_profile(params: Mapping[str, Any], now: dt.datetime | None = None) -> Profile:
    """The eligibility profile part of the parameters (an empty Profile when none is given)."""
    now = now or dt.datetime.now(dt.UTC)
    usmle = _choices(params, "usmle", vocab.USMLE_STEPS, str.lower)
    if "none" in usmle and len(usmle) > 1:
        raise ParamError("usmle", "'none' cannot be combined with passed steps")
    visa = _one(params, "visa")
    if visa is not None and visa.lower() not in VISA_STATUSES:
        raise ParamError("visa", "must be one of " + ", ".join(VISA_STATUSES))
    return Profile(
        graduation_year=_int(params, "graduation_year", 1950, now.year),
        usmle=usmle, ecfmg_certified=_bool(params, "ecfmg_certified"),
        visa=visa.lower() if visa else None, student=_bool(params, "student"),
    )


def confirmed_cutoff(now: dt.datetime, unlisted_after_days: int,
                     within_days: int | None = None) -> int:
    """The `confirmed_after_ts` of a search: listings unconfirmed for `unlisted_after_days`
    (Settings.unlisted_after_days) have left search; `within_days` narrows it further."""
    days = min(unlisted_after_days, within_days) if within_days else unlisted_after_days
    return int((now - dt.timedelta(days=days)).timestamp())


_BOOLEANS = frozenset({"true", "false"})


@cache
def _allowed(facet: str) -> frozenset[str]:
    """A facet's valid values, built once (a search checks a dozen facets against them)."""
    if facet == "kind":
        return frozenset(vocab.KINDS)
    if facet == "specialty":
        return frozenset(vocab.specialties())
    if facet == "state":
        return frozenset(vocab.states())
    return frozenset(vocab.CHOICES[CHOICE_FACETS[facet]])


def parse_search(params: Mapping[str, Any], now: dt.datetime | None = None,
                 strict: bool = True,
                 unlisted_after_days: int = DEFAULT_RECONFIRM_DAYS + DEFAULT_RECONFIRM_GRACE_DAYS
                 ) -> SearchQuery:
    now = now or dt.datetime.now(dt.UTC)
    if strict:
        keys = params.keys() if hasattr(params, "keys") else []
        for key in keys:
            if key not in ALL_PARAMS:
                raise ParamError(key, "is not a search parameter", human=(
                    f"Part of this link was not understood and was left out ({key[:40]})."))
    q = (_one(params, "q") or "")
    if len(q) > MAX_Q:
        raise ParamError("q", f"must be at most {MAX_Q} characters")
    selections: dict[str, tuple[str, ...]] = {
        "kind": _choices(params, "kind", _allowed("kind"), str.lower),
        "specialty": _choices(params, "specialty", _allowed("specialty"),
                              lambda v: vocab.canonical_specialty(v) or resolve_specialty(v) or v),
        "state": _choices(params, "state", _allowed("state"), str.upper),
    }
    for name in BOOLEAN_FACETS:
        selections[name] = _choices(params, name, _BOOLEANS, str.lower)
    for name in CHOICE_FACETS:
        selections[name] = _choices(params, name, _allowed(name), str.lower)
    profile = parse_profile(params, now)
    eligible_only = _bool(params, "eligible_only")
    near = _one(params, "near")
    geo = None
    if near:
        try:
            geo = locate(near)
        except GeoError as exc:
            raise ParamError("near", str(exc), human=str(exc),
                             suggestions=exc.suggestions) from None
    radius = _int(params, "radius_miles", 1, 500)
    sort = (_one(params, "sort") or "relevance").lower()
    if sort not in SORT_NAMES:
        raise ParamError("sort", "must be one of " + ", ".join(SORT_NAMES))
    if sort == "distance" and geo is None:
        raise ParamError("sort", "sort=distance needs near (a 'City, ST' or a ZIP)",
                         human="Enter a place to sort by Nearest.", field="near")
    return SearchQuery(
        q=q,
        selections={k: v for k, v in selections.items() if v and k in FACETS},
        fee_max=_int(params, "fee_max", 0, 100_000),
        cost_max=_int(params, "cost_max", 0, 400_000),
        hands_on_min=_int(params, "hands_on_min", 0, 4),
        graduation_year=profile.graduation_year,
        usmle=profile.usmle,
        ecfmg_certified=profile.ecfmg_certified,
        visa=profile.visa,
        student=profile.student,
        eligible_only=eligible_only is not False,
        geo=geo,
        radius_miles=radius or 50,
        sort=sort,
        page=_int(params, "page", 1, 10_000) or 1,
        per_page=_int(params, "per_page", 1, 50) or 20,
        now_ts=int(now.timestamp()),
        confirmed_after_ts=confirmed_cutoff(
            now, unlisted_after_days, _int(params, "confirmed_within_days", 1, 3650)),
    )


def parse_search_keeping_the_rest(params: Mapping[str, Any], **kwargs: Any
                                  ) -> tuple[SearchQuery, dict[str, list[str]],
                                             list[ParamError]]:
    """The search page's parse: a bad parameter is left out (and reported) so the rest of
    the search still answers. Returns the query, the parameters it used and the errors."""
    items = _pairs(params)
    errors: list[ParamError] = []
    for _ in range(len(ALL_PARAMS) + len(items) + 1):
        kept = _grouped(items)
        try:
            return parse_search(kept, **kwargs), kept, errors
        except ParamError as exc:
            if exc.param not in kept:
                raise
            errors.append(exc)
            items = [(k, v) for k, v in items if k != exc.param]
    raise AssertionError("unreachable: every round drops a parameter")


def _pairs(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    if hasattr(params, "multi_items"):
        return [(k, str(v)) for k, v in params.multi_items()]
    return [(k, str(v)) for k in params for v in param_values(params, k)]


def _grouped(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in items:
        out.setdefault(key, []).append(value)
    return out


def canonical_pairs(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The parameters of a shareable search URL: no empty values (a plain form submit sends
    every field), no radius without a place, no default order or first page, no repeats."""
    items = [(k, v.strip()) for k, v in items]
    has_place = any(k == "near" and v for k, v in items)
    out: list[tuple[str, str]] = []
    for key, value in items:
        if (not value or (key == "radius_miles" and not has_place)
                or (key, value) in {("sort", "relevance"), ("page", "1")}
                or (key, value) in out):
            continue
        out.append((key, value))
    return out


def given(params: Mapping[str, Any], names: Iterable[str]) -> dict[str, list[str]]:
    """The non-empty values of those of `names` the parameters carry, in `names` order."""
    out: dict[str, list[str]] = {}
    for name in names:
        # Most of the ~35 names are absent: skip the checks of param_values for them.
        if name in params and (values := param_values(params, name)):
            out[name] = values
    return out


_STORED_FILTERS = tuple(p for p in FILTER_PARAMS if p != "sort")


def filters_of(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """The filter part of the parameters (no paging), as a plain JSON-able dict: the shape
    a digest subscription stores."""
    return given(params, _STORED_FILTERS)


def to_query_string(filters: Mapping[str, Iterable[str] | str], **extra: Any) -> str:
    pairs: list[tuple[str, str]] = []
    for name, values in {**filters, **{k: v for k, v in extra.items() if v is not None}}.items():
        if isinstance(values, str | int):
            values = [str(values)]
        pairs.extend((name, str(v)) for v in values)
    return "&".join([_pair(name, value) for name, value in pairs])


@lru_cache(maxsize=4096)
def _pair(name: str, value: str) -> str:
    # A results page builds a dozen links (chips, pages) from the same few pairs.
    return urlencode([(name, value)])
