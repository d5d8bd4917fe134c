"""Logging in to an unverified account mails a new confirmation link, but at most three a
day per address: before, every attempt mailed one, so anyone could flood an inbox."""

from __future__ import annotations

from tests.support.factories import make_institution
from tests.support.mail import mails
from tests.support.members import login, make_member


async def test_unverified_logins_resend_at_most_three_links_a_day(client, settings):
    inst = await make_institution(verified=False)
    await make_member(inst, "eve@example.org", verified=False)
    pages = [await login(client, "eve@example.org") for _ in range(5)]
    assert [p.status_code for p in pages] == [403] * 5
    assert all("we have sent you a new link" in p.text for p in pages[:3])
    assert all("we sent a link recently" in p.text for p in pages[3:])
    sent = mails(settings)
    assert len(sent) == 3 and {m["To"] for m in sent} == {"eve@example.org"}
