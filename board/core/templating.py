"""The one Jinja environment: web pages (handed to Litestar) and emails render through it.

Autoescaping follows the file name: `.html` pages and HTML mail parts are escaped, the `.txt`
parts of an email (subject, plain body) are not, since they are not HTML and an escaped
`&amp;` in a plain-text mail would be a visible defect. Undefined names stay lenient, as the
pages have always relied on (`{% if current_member %}` with no member)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, Template
from markupsafe import Markup

from board.core.cards import days_since, html_text, iso_day, result_card, save_button, signal_badges
from board.core.event_listing import view as event_view
from board.core.facts import FILTERS
from board.core.listing_labels import posted_label, requirements_line
from board.listings.red_flags import guide_href as red_flag_guide_href
from board.settings import ROOT

TEMPLATES = ROOT / "templates"


_DICT_ATTRS = frozenset(dir(dict))
_ABSENT = object()


class _Environment(Environment):
    """`{{ hit.title }}` on a dict: Jinja tries getattr first and catches the AttributeError,
    on every lookup (hundreds per search page: cards and facet groups are dicts). A plain
    dict has no attributes but dict's own, so for any other name go straight to the key;
    the result is the same as Jinja's (methods like `.items` still resolve as before)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRS:
            # .get, not [] and KeyError: a card asks for keys most hits lack (eligibility).
            value = obj.get(attribute, _ABSENT)
            return self.undefined(obj=obj, name=attribute) if value is _ABSENT else value
        return super().getattr(obj, attribute)


class _Template(Template):
    @classmethod
    def from_code(cls, environment: Environment, code: Any, globals: Any,
                  uptodate: Any = None) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        # Compiled templates call the module-level name `escape` only around an output
        # expression ({{ ... }}), whose text the page's join only reads: html_text writes the
        # same text without a Markup per piece (~400 on a search page: 5% of its CPU) and
        # without copying an already-safe fragment. {% set %} and macro bodies stay Markup.
        template.root_render_func.__globals__["escape"] = html_text
        return template


def aria_for(errors: Any, name: str, hint: str = "") -> Markup:
    """A form field's ` aria-describedby` (its hint, then its error's id) and
    ` aria-invalid` when `errors` holds one for `name` (the search form's fields: a Python
    global, where ten macro calls cost a search page more than the rest of its form)."""
    error = errors.get(name) if errors else None
    ids = " ".join(([hint] if hint else []) + ([f"{name}-error"] if error else []))
    described = f' aria-describedby="{html_text(ids)}"' if ids else ""
    return Markup(described + (' aria-invalid="true"' if error else ""))


def _autoescape(name: str | None) -> bool:
    return not (name or "").endswith(".txt")


@cache
def environment() -> Environment:
    """Built once per process; Litestar adds its url_for/csrf_token callables to it."""
    # auto_reload off: templates ship with the code (a deploy restarts the process), and the
    # check stat()ed every template file on every render, each card's include included.
    # cache_size -1: a plain dict of compiled templates. The default LRU cache (400) moves a
    # template to the back of a deque on every lookup, a lock and a linear `remove` each:
    # 3% of a search page's CPU for its four lookups. The templates are a fixed set.
    env = _Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=_autoescape,
                       auto_reload=False, cache_size=-1)
    env.template_class = _Template
    env.filters.update(FILTERS)
    env.filters.update(days_since=days_since, iso_day=iso_day)
    # The search card and its parts (board/core/cards.py: built in Python for speed).
    env.globals.update(result_card=result_card, save_button=save_button,
                       signal_badges=signal_badges, aria_for=aria_for)
    env.filters.update(requirements=requirements_line, posted=posted_label)
    env.filters["red_flag_guide"] = red_flag_guide_href
    env.filters.update(event_view=event_view)  # partials/event_times.html
    return env
