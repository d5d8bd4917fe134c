"""The search page's view model: facet lists from the full vocabularies (zero counts kept),
active-filter chips with one-click removal links, and pagination links. The URL holds the
whole state, so every link here is a plain GET that works without JavaScript."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from board.browse.eligibility import Profile, annotate
from board.browse.facet_lists import (
    SEARCHABLE_FACETS,
    facet_options,
    group_html,
    list_html,
    matching_options,
    options_html,
)
from board.browse.labels import FACET_TITLES, active_filters
from board.browse.params import (
    LIST_PARAMS,
    PROFILE_PARAMS,
    SCALAR_PARAMS,
    given,
    to_query_string,
)
from board.core.fields import FACET_FIELDS, names
from board.reviews.summary import summaries as review_summaries
from search.engine import SearchResult

FACET_ORDER = names(FACET_FIELDS)
_ALL = (*LIST_PARAMS, *SCALAR_PARAMS)


def current_params(params: Mapping[str, Any]) -> dict[str, list[str]]:
    return given(params, _ALL)


def url_with(state: dict[str, list[str]], /, **changes: Any) -> str:
    # Positional-only: a change to the `state` facet arrives as the keyword `state`.
    merged = {k: list(v) for k, v in state.items()}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value if isinstance(value, list) else [str(value)]
    qs = to_query_string(merged)
    return "/?" + qs if qs else "/"


def facet_groups(state: dict[str, list[str]], result: SearchResult | None,
                 facet_q: str = "") -> list[dict[str, Any]]:
    groups = []
    for facet in FACET_ORDER:
        selected = tuple(state.get(facet, []))
        counts = result.facets.get(facet, {}) if result else {}
        if facet in SEARCHABLE_FACETS and facet_q:  # narrowing needs the options themselves
            options = matching_options(facet_options(facet, counts, selected), facet_q)
            html = options_html(FACET_TITLES[facet], options, facet_q)
        else:
            html = list_html(facet, counts, selected)
        long, searchable = facet in {"state", "specialty"}, facet in SEARCHABLE_FACETS
        groups.append({
            "name": facet, "title": FACET_TITLES[facet], "options_html": html,
            "long": long, "searchable": searchable, "facet_q": facet_q,
            "html": group_html(facet, FACET_TITLES[facet], html, long=long,
                               searchable=searchable, facet_q=facet_q),
        })
    return groups


def chips(state: dict[str, list[str]]) -> list[dict[str, str]]:
    """One removable chip per active filter value; its link drops just that value. The
    profile is not a chip: its own panel shows it, with a "Clear profile" control."""
    out = []
    for name, value, label in active_filters(state):
        if name in PROFILE_PARAMS or name == "eligible_only":
            continue
        rest = [v for v in state[name] if v != value]
        out.append({"label": label, "url": url_with(state, page=None, **{name: rest or None})})
    return out


def pagination(state: dict[str, list[str]], result: SearchResult) -> dict[str, Any]:
    page, pages = result.page, result.pages
    window = [p for p in range(max(1, page - 2), min(pages, page + 2) + 1)]
    url = page_urls(state)
    return {
        "page": page, "pages": pages,
        "prev": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if page < pages else None,
        "links": [{"n": p, "url": url(p), "current": p == page} for p in window],
    }


def page_urls(state: dict[str, list[str]]) -> Callable[[int], str]:
    """`url(n)` == url_with(state, page=n), with the rest of the query string encoded once
    for all of a results page's page links (up to seven)."""
    keys = list(state)
    at = keys.index("page") if "page" in state else len(keys)
    before = to_query_string({k: state[k] for k in keys[:at]})
    after = to_query_string({k: state[k] for k in keys[at + 1:]})

    def url(n: int) -> str:
        return "/?" + "&".join([part for part in (before, to_query_string({"page": [str(n)]}),
                                                  after) if part])
    return url


async def page_hits(hits: list[dict[str, Any]], profile: Profile, year: int
                    ) -> list[dict[str, Any]]:
    """The hits of one page as the search page and the API show them, with the visitor's
    verdicts when a profile is given. A result may be a cached, shared one: a hit that gains
    anything here is a copy, the others are the cached dicts (callers only read them). Each
    listing's review summary comes with its search document (a change of shown reviews
    re-sends the listing through the outbox), so a search does no store query; only a
    document indexed before documents carried it is looked up."""
    out = annotate(hits, profile, year) if profile else list(hits)
    missing = [h["id"] for h in out if h.get("reviews") is None]
    if missing:
        reviews = await review_summaries(missing)
        out = [{**hit, "reviews": reviews.get(hit["id"])} if hit.get("reviews") is None else hit
               for hit in out]
    return out
