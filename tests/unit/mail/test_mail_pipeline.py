"""The mail pipeline without a server: every email renders through the shared layout, the one
MIME writer's output parses as a proper multipart message, and the in-memory transport keeps
what `send` handed it."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest

from board.accounts.emails import invite_email, reset_email, verify_email
from board.core.templating import environment
from board.digests.emails import confirm_email
from board.mail import mime
from board.mail.delivery import send
from board.mail.memory import MemoryTransport
from board.mail.render import Email, render
from board.moderation.emails import rejected_email
from board.settings import load_settings

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LISTING = {"id": 7, "title": "Cardiology observership", "institution_name": "Mercy",
           "expires_at": NOW + dt.timedelta(days=5)}


def _emails() -> list[Email]:
    from board.listings.emails import reminder_email

    settings = load_settings()
    return [verify_email("a@x.org", "Ann", "https://l/verify/t"),
            reset_email("a@x.org", "Ann", "https://l/password-reset/t"),
            invite_email("b@x.org", "Ann", "Mercy", "https://l/invite/t"),
            confirm_email("c@x.org", "https://l/subscribe/confirm/t", ["State: New York"]),
            rejected_email("a@x.org", "Title", "Fee by wire", "https://l/edit"),
            reminder_email(settings, LISTING, "a@x.org", "https://l/renew/t", 5)]


@pytest.mark.parametrize("mail", _emails(), ids=lambda m: m.template)
def test_every_email_extends_the_shared_layout(mail: Email):
    for part in ("body.txt", "body.html"):
        source = environment().loader.get_source(environment(), f"emails/{mail.template}/{part}")[0]
        assert source.startswith('{% extends "emails/layout.'), part
    rendered = render(mail.template, {"base_url": "https://board.example", **mail.context})
    assert rendered.subject and "\n" not in rendered.subject
    assert 'class="footer"' in rendered.html and "<style" not in rendered.html  # CSS inlined


def test_the_mime_writer_makes_a_parseable_multipart_message():
    rendered = render("verify", {"name": "Zoë <b>", "link": "https://l/v", "base_url": "https://b"})
    data = mime.write(rendered, sender="Board <no-reply@b.example>", to="a@x.org",
                      message_id="<1@b.example>", now=NOW, headers={"Auto-Submitted": "auto-generated"})
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["To"] == "a@x.org" and msg["Message-ID"] == "<1@b.example>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert "Hello Zoë <b>," in msg.get_body(("plain",)).get_content()
    assert "Hello Zoë &lt;b&gt;," in msg.get_body(("html",)).get_content()


async def test_send_through_the_memory_transport():
    transport = MemoryTransport()
    await send(transport, load_settings(), verify_email("a@x.org", "Ann", "https://l/verify/t"))
    [msg] = transport.to("a@x.org")
    assert msg["Subject"] == "Confirm your email address for the IMG Opportunity Board"
    assert "https://l/verify/t" in msg.get_body(("plain",)).get_content()


def test_no_email_template_folder_skips_the_layout():
    from board.core.templating import TEMPLATES

    folders = [p for p in (TEMPLATES / "emails").iterdir() if p.is_dir()]
    assert {p.name for p in folders} >= {"verify", "reset", "invite", "confirm", "rejected",
                                         "remind", "digest"}
    for folder in folders:
        for part in ("body.txt", "body.html"):
            assert (folder / part).read_text().startswith('{% extends "emails/layout.'), folder
