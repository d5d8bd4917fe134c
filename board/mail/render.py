"""Emails from templates: templates/emails/<name>/{subject.txt, body.txt, body.html}.

The plain-text parts are rendered without autoescaping (they are not HTML), the HTML part
with it, so a name like `<script>` in an institution's name stays inert in the HTML mail.
"""

from __future__ import annotations

from email.message import EmailMessage
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from board.settings import ROOT

EMAILS = ROOT / "templates" / "emails"


@cache
def _env(html: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(EMAILS)), undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html",), default=False) if html else False,
        keep_trailing_newline=True,
    )


def render_email(name: str, to: str, /, **context: Any) -> EmailMessage:
    subject = _env(False).get_template(f"{name}/subject.txt").render(**context)
    msg = EmailMessage()
    msg["To"] = to
    # A header never holds a newline, whatever the template produced.
    msg["Subject"] = " ".join(subject.split())
    msg.set_content(_env(False).get_template(f"{name}/body.txt").render(**context))
    html = EMAILS / name / "body.html"
    if html.exists():
        msg.add_alternative(_env(True).get_template(f"{name}/body.html").render(**context),
                            subtype="html")
    return msg
