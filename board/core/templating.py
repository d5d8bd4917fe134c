"""The one Jinja environment: web pages (handed to Litestar) and emails render through it.

Autoescaping follows the file name: `.html` pages and HTML mail parts are escaped, the `.txt`
parts of an email (subject, plain body) are not, since they are not HTML and an escaped
`&amp;` in a plain-text mail would be a visible defect. Undefined names stay lenient, as the
pages have always relied on (`{% if current_member %}` with no member)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader

from board.core.facts import FILTERS
from board.settings import ROOT

TEMPLATES = ROOT / "templates"


def _autoescape(name: str | None) -> bool:
    return not (name or "").endswith(".txt")


@cache
def environment() -> Environment:
    """Built once per process; Litestar adds its url_for/csrf_token callables to it."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=_autoescape)
    env.filters.update(FILTERS)
    return env
