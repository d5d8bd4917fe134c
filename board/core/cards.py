"""The search result card, its Save button and its honest-signal badges, built in Python.

Why not Jinja macros: a results page holds 20 cards, and the macro calls (three per card, a
new context each, an escape and a Markup per value) were a fifth of the page's CPU on the
search benchmark (bench/bench_search_distinct.py). These functions are the templates'
globals `result_card`, `save_button` and `signal_badges`, so every page (search, listing,
shortlist, institution) renders the same markup from this one place. Every value goes
through `html_text` (escaped); only the engine's highlights (already escaped, search.answers) pass as they
are. The rare parts (an event's times, the visitor's verdict) stay Jinja macros in
partials/card_macros.html, which the card calls through the environment it is given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import Environment, pass_environment
from markupsafe import Markup, _escape_inner

from board.core.facts import hands_on_level_label
from board.core.listing_labels import requirements_line
from board.core.moments import moment
from board.core.shared_hits import PerHit

_MACROS = "partials/card_macros.html"


def days_since(value: Any, now: dt.datetime | None = None) -> int | None:
    """Whole days from a moment (a datetime, date or ISO text) to now; None when unknown.
    For "Confirmed open 12 days ago" on cards (hits carry ISO text) and pages (rows)."""
    if not value:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    when = _moment_of_text(value) if type(value) is str else moment(value)
    return max(0, ((now or dt.datetime.now(dt.UTC)) - when).days)


@lru_cache(maxsize=8192)
def _moment_of_text(value: str) -> dt.datetime | None:
    # Every card parses its hit's "confirmed" time: the same few thousand texts over and over.
    return moment(value)


def iso_day(value: Any) -> str:
    """The date part of a date, datetime or ISO text ("" when empty)."""
    if not value:
        return ""
    return value.isoformat()[:10] if not isinstance(value, str) else value[:10]


def html_text(value: Any) -> str:
    """markupsafe's `escape` as plain text: the same characters, without the Markup object
    that an f-string or a template's output only reads (and never copying a fragment that
    is already safe, like a card)."""
    if type(value) is str:
        return _escape_inner(value)
    html = getattr(value, "__html__", None)
    return html() if html is not None else _escape_inner(str(value))


def _num(value: Any) -> str:
    # Numbers cannot hold markup: str() is the same text as escaping them.
    return str(value) if type(value) in (int, float) else html_text(value)


def save_button(save_id: Any, save_title: Any, saved_ids: Container | None, save_next: Any,
                request: Any, save_oob: bool = False, shortlist_count: int = 0) -> Markup:
    """Save / Saved ✓ for one listing. A bare button, never a nested form (result cards sit
    inside the search form): it submits the page's one empty `#save-form` (base.html, holding
    the CSRF token) to its own formaction, with `next` = this page, so it works without
    JavaScript; htmx posts it and swaps the button in place."""
    saved = save_id in (saved_ids or ())
    action = html_text(f"/shortlist/{save_id}{'/remove' if saved else ''}")
    if not save_next:
        save_next = request.url.path + ("?" + request.url.query if request.url.query else "")
    title = html_text(save_title or "this listing")
    label = (f'Saved ✓<span class="visually-hidden">: remove {title} from your shortlist</span>'
             if saved else f'Save<span class="visually-hidden"> {title} to your shortlist</span>')
    html = (f'<button type="submit" form="save-form" formaction="{action}" formmethod="post" '
            f'name="next" value="{html_text(save_next)}"\n        class="btn btn--small save-button'
            f'{" save-button--saved" if saved else ""}" id="save-{_num(save_id)}"\n'
            f'        data-hx-post="{action}" data-hx-target="this" data-hx-swap="outerHTML" '
            f'data-hx-push-url="false"\n        data-hx-include="#save-form" '
            f'data-hx-indicator="this">{label}</button>')
    if save_oob:
        count = f" ({_num(shortlist_count)})" if shortlist_count else ""
        html += f'\n<span id="shortlist-count" data-hx-swap-oob="true">{count}</span>'
    return Markup(html)


def signal_badges(item: Mapping[str, Any], today_iso: str) -> Markup:
    """Honest signals of one listing (a search hit or a listing row): how fresh the host's
    confirmation is, "full until", and visitors' "reported closed". Inside a <ul class="badges">."""
    out = [""]
    if item.get("reported_closed_at"):
        out.append('<li><span class="badge badge--reported">Reported closed by visitors</span></li>')
    full = iso_day(item.get("full_until"))
    if full and full >= today_iso:
        out.append(f'<li><span class="badge badge--full">Full until {html_text(full)}</span></li>')
    days = days_since(item.get("confirmed_at"))
    if days is not None:
        when = "today" if days == 0 else "1 day ago" if days == 1 else f"{days} days ago"
        out.append(f'<li><span class="badge badge--confirmed">Confirmed open {when}</span></li>')
    return Markup("\n".join(out))


@pass_environment
def result_card(env: Environment, hit: Mapping[str, Any], today: str, closing_soon: str,
                saved_ids: Container | None, save_next: Any, request: Any) -> Markup:
    """One search hit, phone first: title, where and who, the deciding facts as badges (fee,
    hands-on, letter, visa), one line of deadline/kind/duration/specialty, the stated
    requirements (and the visitor's verdict once the profile is filled), a two-line snippet.
    What depends on the hit alone is built once per shared hit (_STATIC); the Save button,
    the clock's badges, an event's times and a verdict are built for this page."""
    get = hit.get
    # A hit with a verdict is this visitor's copy: remembering it would only fill the memo.
    head, meta, tail, facts, end = (_static_parts(hit) if get("eligibility")
                                    else _STATIC.get(hit))  # type: ignore[arg-type]
    deadline = get("application_deadline")
    closing = ('    <li><span class="badge badge--closing">Closing soon</span></li>\n'
               if deadline and today <= deadline <= closing_soon else "")
    return Markup(
        f'{head}\n  {save_button(get("id"), get("title"), saved_ids, save_next, request)}\n'
        f'{meta}\n{closing}    {signal_badges(hit, today)}\n{tail}\n'
        f'  {_macro(env, "event_times")(hit) if get("kind") == "event" else ""}\n{facts}\n'
        f'  {_macro(env, "eligibility")(hit) if get("eligibility") else ""}\n{end}')


def _static_parts(hit: Mapping[str, Any], _: Any = None) -> tuple[str, str, str, str, str]:
    """The card's text that depends on the hit alone, in the pieces between the parts that
    do not: (title, meta and first badges, review badges, facts and requirements, snippet).
    Its own punctuation is written as character references (&middot;, the engine's crop
    mark as &hellip;): a page that is all ASCII is joined and encoded as bytes, one with a
    single "·" as two-byte text (~0.2 ms more per search page)."""
    get = hit.get
    highlight = get("highlight") or {}
    institution = get("institution") or {}
    place = "Remote" if get("remote") else (
        f"{html_text(get('city', ''))}{', ' if get('city') else ''}{html_text(get('state', ''))}")
    miles = get("distance_miles")
    head = ('<article class="result-card">\n'
            f'  <h3 class="result-card__title"><a href="/opportunities/{_num(get("id"))}">'
            f'{highlight.get("title", "")}</a></h3>')
    meta = "\n".join([
        '  <p class="result-card__meta">',
        f'    {place}',
        f'    {f" &middot; {_num(miles)} mi away" if miles is not None else ""}',
        f'    &middot; {html_text(institution.get("name", ""))}'
        + (' <span class="badge badge--verified">Verified</span>'
           if institution.get("verified") else ""),
        '  </p>',
        '  <ul class="badges">',
        *_badges(hit),
    ])
    tail = "\n".join([*_review_badges(get("reviews")), '  </ul>'])
    facts = "\n".join([
        '  <p class="result-card__facts">',
        f'    <span>Deadline: {html_text(get("application_deadline") or "Rolling")}</span>',
        f'    <span>{html_text(str(get("kind", "")).capitalize())}</span>',
        f'    {_weeks(get("duration_weeks"))}',
        f'    <span>{html_text(get("specialty", ""))}</span>',
        '  </p>',
        '  <p class="result-card__reqs"><span class="visually-hidden">Requirements: </span>'
        f'{html_text(requirements_line(hit)).replace("·", "&middot;")}</p>',
    ])
    end = (f'  <p class="result-card__summary">'
           f'{highlight["description"].replace("…", "&hellip;")}</p>'
           if highlight.get("description") else "  ") + "\n</article>"
    return head, meta, tail, facts, end


_STATIC: PerHit[tuple[str, str, str, str, str]] = PerHit(_static_parts)


def _badges(hit: Mapping[str, Any]) -> list[str]:
    get = hit.get
    cost = get("total_cost_usd")
    level = get("hands_on_level")
    out = [
        '    <li><span class="badge badge--free">Free</span></li>' if cost == 0 else
        '    <li><span class="badge badge--unknown">Cost not stated</span></li>' if cost is None
        else f'    <li><span class="badge badge--paid">Total ${cost:,}</span></li>',
        f'    <li><span class="badge {"badge--handson" if level >= 1 else "badge--observe"}" '
        f'title="{html_text(hands_on_level_label(level))}">Hands-on {_num(level)}/4</span></li>'
        if level is not None else
        '    <li><span class="badge badge--handson">Hands-on</span></li>' if get("hands_on") else
        '    <li><span class="badge badge--observe">Observation</span></li>',
    ]
    if get("lor_offered"):
        out.append('    <li><span class="badge badge--lor">LoR possible</span></li>')
    if get("b1b2_accepted"):
        out.append('    <li><span class="badge badge--visa">B1/B2 OK</span></li>')
    if get("j1_sponsored"):
        out.append('    <li><span class="badge badge--visa">J-1</span></li>')
    return out


def _review_badges(reviews: Mapping[str, Any] | None) -> list[str]:
    if reviews and reviews.get("rating") is not None:
        return [f'    <li><span class="badge badge--confirmed">Rated {_num(reviews["rating"])}'
                f'/5 by {_num(reviews.get("count"))} participants</span></li>']
    if reviews and reviews.get("count"):
        count = reviews["count"]
        return [f'    <li><span class="badge badge--confirmed">{_num(count)} review'
                f'{"s" if count != 1 else ""}</span></li>']
    return []


def _weeks(weeks: Any) -> str:
    return f'<span>{_num(weeks)} week{"s" if weeks != 1 else ""}</span>' if weeks else ""


def _macro(env: Environment, name: str) -> Any:
    return getattr(env.get_template(_MACROS).module, name)
