"""Markdown descriptions rendered to HTML and sanitized with nh3 (links get
rel="nofollow noopener"); raw HTML in the source is escaped, never trusted."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "code",
         "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}


def render_markdown(text: str) -> str:
    html = _md.render(text or "")
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>")
    html = html.replace("<h2>", "<h3>").replace("</h2>", "</h3>")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )


def plain_text(text: str) -> str:
    """Markdown -> the words a reader sees (entities decoded), on one line."""
    import html

    return " ".join(html.unescape(nh3.clean(_md.render(text or ""), tags=set())).split())


def plain_summary(text: str, length: int = 220) -> str:
    plain = plain_text(text)
    return plain if len(plain) <= length else plain[: length - 1].rsplit(" ", 1)[0] + "…"
