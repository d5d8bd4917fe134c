"""Emails from templates: templates/emails/<name>/{subject.txt, body.txt, body.html}, each body
extending the shared layout (templates/emails/layout.txt and layout.html).

An email is data first (`Email`: which template, to whom, with what context), built by each
feature's emails.py; `render` turns it into the three finished strings, with the HTML part's
CSS inlined (mail clients drop <style> blocks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import css_inline
from jinja2 import TemplateNotFound

from board.core.templating import environment


@dataclass(frozen=True)
class Email:
    template: str                  # a folder under templates/emails/
    to: str
    context: Mapping[str, Any] = field(default_factory=dict)
    # Extra headers for this message (e.g. List-Unsubscribe); From/To/Date/Message-ID are added.
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str  # "" when the email has no HTML part

    def replace(self, links: Mapping[str, str]) -> Rendered:
        """The same message with placeholders filled in (the digest renders once per content,
        then gives each subscriber their own links)."""
        text, html = self.text, self.html
        for placeholder, value in links.items():
            text, html = text.replace(placeholder, value), html.replace(placeholder, value)
        return Rendered(self.subject, text, html)


def _render(path: str, context: Mapping[str, Any]) -> str:
    return environment().get_template(path).render(**context)


def render(template: str, context: Mapping[str, Any]) -> Rendered:
    folder = f"emails/{template}"
    # A header never holds a newline, whatever the template produced.
    subject = " ".join(_render(f"{folder}/subject.txt", context).split())
    text = _render(f"{folder}/body.txt", context)
    if not text.endswith("\n"):
        text += "\n"
    try:
        html = css_inline.inline(_render(f"{folder}/body.html", context))
    except TemplateNotFound:
        html = ""
    return Rendered(subject, text, html)
