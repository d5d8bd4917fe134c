"""Markdown descriptions rendered to HTML and sanitized with nh3 (links get
rel="nofollow noopener"); raw HTML in the source is escaped, never trusted."""

from __future__ import annotations

import re

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


_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+|mailto:[^>\s]+)>")
_LINE_MARKS = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)",
                         re.MULTILINE)
_RULE = re.compile(r"^[ \t]{0,3}([-*_])([ \t]*\1){2,}[ \t]*$", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3}|`+|~~)(?=\S)(.+?)(?<=\S)\1")


def plain_text(text: str) -> str:
    """Markdown -> the words a reader sees, on one line, for search and snippets.

    A few regular expressions instead of a full render: the search document is rebuilt for
    every listing on each reindex, and rendering plus sanitizing dominated that cost. Raw
    HTML stays literal text, as the rendered page shows it (escaped, never as markup)."""
    text = _RULE.sub(" ", text or "")
    text = _LINE_MARKS.sub("", text)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    for _ in range(2):  # nested emphasis such as **_word_**
        text = _EMPHASIS.sub(r"\2", text)
    return " ".join(text.split())


def plain_summary(text: str, length: int = 220) -> str:
    plain = plain_text(text)
    return plain if len(plain) <= length else plain[: length - 1].rsplit(" ", 1)[0] + "…"
