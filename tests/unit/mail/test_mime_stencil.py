"""The digest's half-encoded messages (mime.Stencil): byte for byte what the plain writer
makes of the same content with the links filled in, wherever the links fall in the body."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest

from board.digests import emails as digest_mail
from board.mail import mime
from board.mail.render import Rendered
from board.settings import load_settings

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LINKS = {"@@A@@": "https://board.example/manage/tok-ü", "@@B@@": "https://board.example/u/t"}
HEADERS = {"List-Unsubscribe": "<https://board.example/u/t>",
           "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _bodies() -> list[tuple[str, str]]:
    long = "Zoë's observership — Mercy\n" * 40  # multi-byte characters on both sides of a cut
    return [
        (long + "Manage: @@A@@\nUnsubscribe: @@B@@\n", "<p>" + long + '<a href="@@A@@">m</a> @@B@@</p>'),
        ("@@B@@ first, then " + long + "@@A@@ and @@B@@ again\n", ""),
        ("x" + "é" * 57 + "@@A@@\n", "x" * 56 + "é@@B@@"),  # the cuts land inside "é"
        ("no links at all\n" + long, "<p>none</p>"),
        ("", ""),
    ]


@pytest.mark.parametrize(("text", "html"), _bodies())
def test_a_stencil_writes_the_same_bytes_as_the_writer(text: str, html: str):
    msg = Rendered("Weekly digest — 3 new", text, html)
    expected = mime.write(msg.replace(LINKS), sender="Board <no-reply@b.example>", to="a@x.org",
                          message_id="<1@b.example>", now=NOW, headers=HEADERS, boundary="=_b")
    made = mime.Stencil(msg, list(LINKS)).write(
        LINKS, sender="Board <no-reply@b.example>", to="a@x.org", message_id="<1@b.example>",
        now=NOW, headers=HEADERS, boundary="=_b")
    assert made == expected


def test_a_stencils_messages_parse_with_their_own_links_and_headers():
    settings = load_settings()
    hit = {"id": 7, "title": "Cardiology observership", "institution": {"name": "Mercy"},
           "city": "Boston", "state": "MA", "fee_usd": None, "hands_on": True}
    parts = digest_mail.render_parts(settings, ["State: Massachusetts"], [hit], [],
                                     "https://board.example/?state=MA", "2026-W10")
    stencil = digest_mail.stencil(parts)
    for n in (1, 2):
        data = digest_mail.assemble(stencil, settings, to=f"r{n}@x.org", subscriber_id=n,
                                    period="2026-W10", now=NOW,
                                    manage_url=f"https://board.example/manage/m{n}",
                                    unsubscribe_url=f"https://board.example/unsubscribe/u{n}")
        assert data == digest_mail.assemble(
            parts, settings, to=f"r{n}@x.org", subscriber_id=n, period="2026-W10", now=NOW,
            manage_url=f"https://board.example/manage/m{n}",
            unsubscribe_url=f"https://board.example/unsubscribe/u{n}", boundary=stencil.boundary)
        msg = email.message_from_bytes(data, policy=email.policy.default)
        assert msg["To"] == f"r{n}@x.org"
        assert msg["List-Unsubscribe"].startswith(f"<https://board.example/unsubscribe/u{n}>")
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert "Cardiology observership" in text and f"https://board.example/manage/m{n}" in text
        assert f'href="https://board.example/unsubscribe/u{n}"' in html
        assert digest_mail.MANAGE_PH not in text + html and digest_mail.UNSUB_PH not in text + html
