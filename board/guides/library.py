"""The guides: Markdown files in this folder, each with a small front matter

    ---
    title: ...
    summary: ...
    last_reviewed: YYYY-MM-DD
    source: Name | https://...      (one line per source, in the order shown)
    ---

read once per process (they ship with the code, so they change only with a deploy). The
anchors the visa warnings (board.browse.eligibility) and the red flags
(board.listings.red_flags) link to are checked against the rendered headings by a test, so
renaming a heading cannot silently break those links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from board.core.markdown import render_document

FOLDER = Path(__file__).parent
ORDER = ("ecfmg-and-the-match", "visas-for-observerships", "judging-an-observership",
         "clinical-experience-vs-observation")


class GuideError(ValueError):
    """A guide file without its front matter (a repository bug, caught by the tests)."""


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    summary: str
    last_reviewed: dt.date
    sources: tuple[tuple[str, str], ...]  # (name, URL)
    html: str
    outline: tuple[tuple[int, str, str], ...]  # (level, anchor, title)

    @property
    def anchors(self) -> frozenset[str]:
        return frozenset(anchor for _, anchor, _ in self.outline)


def parse(slug: str, text: str) -> Guide:
    head, sep, body = text.removeprefix("---\n").partition("\n---\n")
    if not text.startswith("---\n") or not sep:
        raise GuideError(f"{slug}: no front matter")
    meta: dict[str, str] = {}
    sources: list[tuple[str, str]] = []
    for line in head.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "source":
            name, _, url = value.rpartition("|")
            sources.append((name.strip(), url.strip()))
        elif key:
            meta[key] = value
    missing = {"title", "last_reviewed"} - meta.keys()
    if missing or not sources:
        raise GuideError(f"{slug}: front matter needs title, last_reviewed and a source")
    html, outline = render_document(body)
    return Guide(slug, meta["title"], meta.get("summary", ""),
                 dt.date.fromisoformat(meta["last_reviewed"]), tuple(sources), html,
                 tuple(outline))


@cache
def guides() -> dict[str, Guide]:
    found = {p.stem: p for p in FOLDER.glob("*.md")}
    slugs = [s for s in ORDER if s in found] + sorted(set(found) - set(ORDER))
    return {s: parse(s, found[s].read_text(encoding="utf-8")) for s in slugs}


def guide(slug: str) -> Guide | None:
    return guides().get(slug)

