"""Markdown descriptions rendered to HTML and sanitized with nh3 (links get
rel="nofollow noopener"); raw HTML in the source is escaped, never trusted."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

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


_BREAKS = {"softbreak", "hardbreak"}


def _inline_text(children: list[Token], out: list[str]) -> None:
    for child in children:
        if child.type in {"text", "code_inline"}:
            out.append(child.content)
        elif child.type in _BREAKS:
            out.append(" ")
        elif child.type == "image" and child.children:  # its alt text
            _inline_text(child.children, out)


@lru_cache(maxsize=4096)
def plain_text(text: str) -> str:
    """Markdown -> the words a reader sees, on one line, for search and snippets.

    Taken from markdown-it's token stream (no HTML, no sanitizing: those dominated the cost
    of a reindex), so emphasis, links and headings read as the page shows them. Regular
    expressions did this before and were quadratic on unclosed markers: 20k characters of
    "*a " took seconds, each opener scanning to the end for its closer. The parser is
    linear, and a listing's description is parsed once per distinct text (the cache)."""
    out: list[str] = []
    for token in _md.parse(text or ""):
        if token.type == "inline" and token.children:
            _inline_text(token.children, out)
        elif token.type in {"fence", "code_block"}:
            out.append(token.content)
        out.append(" ")  # block boundaries separate words
    return " ".join("".join(out).split())


def plain_summary(text: str, length: int = 220) -> str:
    plain = plain_text(text)
    return plain if len(plain) <= length else plain[: length - 1].rsplit(" ", 1)[0] + "…"


# --- documents with heading anchors (the guides) -------------------------------------------

_doc_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_DOC_TAGS = _TAGS | {"h2"}


def heading_slug(text: str) -> str:
    """"B-1/B-2 visitor visa" -> "b-1-b-2-visitor-visa": the anchor other pages link to."""
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def render_document(text: str) -> tuple[str, list[tuple[int, str, str]]]:
    """A trusted repository document (still sanitized) with an `id` on every heading, so
    other pages can link to a section; also its (level, anchor, title) outline. Unlike
    render_markdown, `##` stays an h2: the page's own title is the h1."""
    tokens = _doc_md.parse(text or "")
    outline: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        words: list[str] = []
        _inline_text(tokens[index + 1].children or [], words)
        title = "".join(words).strip()
        slug, n = heading_slug(title) or "section", 2
        while slug in seen:  # two headings with one title still get distinct anchors
            slug, n = f"{heading_slug(title)}-{n}", n + 1
        seen.add(slug)
        token.attrSet("id", slug)
        outline.append((int(token.tag[1]), slug, title))
    html = _doc_md.renderer.render(tokens, _doc_md.options, {})
    html = html.replace("<h1 ", "<h2 ").replace("</h1>", "</h2>")
    clean = nh3.clean(html, tags=_DOC_TAGS,
                      attributes={"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener")
    return clean, outline
