"""The search page's view model: facet lists from the full vocabularies (zero counts kept),
active-filter chips with one-click removal links, and pagination links. The URL holds the
whole state, so every link here is a plain GET that works without JavaScript."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from markupsafe import Markup, escape

from board.browse.eligibility import Profile, annotate
from board.browse.labels import BOOL_LABELS, CHOICE_VOCABULARIES, FACET_TITLES, active_filters
from board.browse.params import (
    LIST_PARAMS,
    PROFILE_PARAMS,
    SCALAR_PARAMS,
    param_values,
    to_query_string,
)
from board.core import vocab
from board.core.fields import FACET_FIELDS, names
from board.core.search_spec import BOOLEAN_FACETS
from board.core.synonyms import resolve_specialty
from board.reviews.summary import summaries as review_summaries
from search.engine import SearchResult

FACET_ORDER = names(FACET_FIELDS)
LONG_LIST = 12
# Facets with a type-to-filter box (the `facet_q` parameter of the page, never a filter).
SEARCHABLE_FACETS = ("specialty",)


def current_params(params: Mapping[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in (*LIST_PARAMS, *SCALAR_PARAMS):
        values = param_values(params, name)
        if values:
            out[name] = values
    return out


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


@cache
def _vocabulary(facet: str) -> tuple[tuple[str, str, str, str], ...]:
    """A facet's (value, label, escaped value, escaped label), built once per process: the
    lists are vocabulary-sized (~250 options on a page) and never change while it runs."""
    if facet in BOOLEAN_FACETS:
        yes, no = BOOL_LABELS[facet]
        values = [("true", yes), ("false", no)]
    elif facet == "state":
        values = list(vocab.states().items())
    elif facet == "kind":
        values = [(k, k.capitalize()) for k in vocab.KINDS]
    elif facet in CHOICE_VOCABULARIES:
        values = list(vocab.CHOICES[str(CHOICE_VOCABULARIES[facet])].items())
    else:
        values = [(s, s) for s in vocab.specialties()]
    return tuple((v, label, str(escape(v)), str(escape(label))) for v, label in values)


@cache
def _option_bases(facet: str) -> tuple[dict[str, Any], ...]:
    """Per option the parts that never change: value, label, their escaped forms and the two
    fixed pieces of its <li> (options_html fills in the class, checked and count)."""
    name = escape(facet)
    return tuple({"value": v, "label": label, "_value": ev, "_label": el,
                  "_head": f'"><input type="checkbox" name="{name}" value="{ev}"',
                  "_mid": f'><span>{el}</span><span class="facet__count" aria-hidden="true">'}
                 for v, label, ev, el in _vocabulary(facet))


def _options(facet: str, counts: dict[str, int], selected: tuple[str, ...]
             ) -> list[dict[str, Any]]:
    # The escaped strings ride along (keys options_html reads) so a page escapes nothing twice.
    get = counts.get
    opts = [{**base, "count": get(base["value"], 0), "selected": base["value"] in selected}
            for base in _option_bases(facet)]
    if len(opts) > LONG_LIST:
        opts.sort(key=lambda o: (not o["selected"], -o["count"], o["label"]))
    return opts


def matching_options(options: list[dict[str, Any]], text: str,
                     engine_counts: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """The options a type-to-filter box shows for `text`: labels containing it, values the
    engine's facet search matched (prefix and typo tolerant), and always the selected ones,
    so narrowing the list never drops a checked box from the form."""
    needle = " ".join(text.casefold().split())
    if not needle:
        return options
    engine_counts = engine_counts or {}
    alias = resolve_specialty(text)  # "OBGYN" -> Obstetrics and gynecology
    out = []
    for opt in options:
        if opt["value"] in engine_counts:
            opt = {**opt, "count": engine_counts[opt["value"]]}
        if (opt["selected"] or opt["value"] in engine_counts or opt["value"] == alias
                or needle in opt["label"].casefold()):
            out.append(opt)
    return out


def options_html(facet: str, title: str, options: list[dict[str, Any]], facet_q: str = ""
                 ) -> Markup:
    """The <li> checkboxes of one facet list. Built here rather than in a Jinja loop because
    the page lists ~250 options: the loop was most of the page's render time (bench/)."""
    if not options:
        return Markup('<li class="facet__none muted">No {} matches \u201c{}\u201d.</li>').format(
            title.lower(), facet_q)
    name = escape(facet)
    parts = []
    for opt in options:
        count, selected = opt["count"], opt["selected"]
        empty = " facet__option--empty" if count == 0 and not selected else ""
        checked = " checked" if selected else ""
        head, mid = opt.get("_head"), opt.get("_mid")
        if head is None or mid is None:  # an option not built by _options
            value, label = escape(opt["value"]), escape(opt["label"])
            head = f'"><input type="checkbox" name="{name}" value="{value}"'
            mid = f'><span>{label}</span><span class="facet__count" aria-hidden="true">'
        # aria-label is not allowed on a <span>: screen readers get the count with its unit
        # from a visually hidden sibling, and the bare digits are hidden from them.
        parts.append(f'<li><label class="facet__option{empty}{head}{checked}{mid}{count}'
                     f'</span><span class="visually-hidden"> {count} listings</span></label></li>')
    return Markup("\n".join(parts))  # every value above is escaped


def facet_groups(state: dict[str, list[str]], result: SearchResult | None,
                 facet_q: str = "") -> list[dict[str, Any]]:
    groups = []
    for facet in FACET_ORDER:
        selected = tuple(state.get(facet, []))
        counts = result.facets.get(facet, {}) if result else {}
        options = _options(facet, counts, selected)
        if facet in SEARCHABLE_FACETS:
            options = matching_options(options, facet_q)
        groups.append({
            "name": facet, "title": FACET_TITLES[facet], "options": options,
            "options_html": options_html(facet, FACET_TITLES[facet], options, facet_q),
            "long": facet in {"state", "specialty"},
            "searchable": facet in SEARCHABLE_FACETS, "facet_q": facet_q,
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
    return {
        "page": page, "pages": pages,
        "prev": url_with(state, page=page - 1) if page > 1 else None,
        "next": url_with(state, page=page + 1) if page < pages else None,
        "links": [{"n": p, "url": url_with(state, page=p), "current": p == page} for p in window],
    }


async def page_hits(hits: list[dict[str, Any]], profile: Profile, year: int
                    ) -> list[dict[str, Any]]:
    """The hits of one page as the search page and the API show them: copies (a result may
    be a cached, shared one) with the visitor's verdicts when a profile is given. Each
    listing's review summary comes with its search document (a change of shown reviews
    re-sends the listing through the outbox), so a search does no store query; only a
    document indexed before documents carried it is looked up."""
    out = annotate(hits, profile, year) if profile else [dict(h) for h in hits]
    missing = [h["id"] for h in out if h.get("reviews") is None]
    if missing:
        reviews = await review_summaries(missing)
        for hit in out:
            if hit.get("reviews") is None:
                hit["reviews"] = reviews.get(hit["id"])
    return out
