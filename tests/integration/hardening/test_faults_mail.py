"""SMTP failing while a request sends its one mail (the subscription's confirmation), against
the real aiosmtpd server: refusing connections (a closed port), dropping the connection after
DATA, answering 421 (temporary) and 550 (permanent). The answer is a clear 503 to retry (or a
400 naming the email for a permanent refusal), never a 500; the subscription row stays a
valid pending one (no duplicate on retry), and the retry delivers once SMTP is back."""

from __future__ import annotations

import dataclasses
import re

import pytest

from board.app import create_app
from board.mail.transport import Mailer
from board.store.tables import Subscriber
from search.server import free_port
from tests.support.app import Borrowed, app_client
from tests.support.members import post_form


def _app(runtime, settings, smtp_url: str):
    borrowed = Borrowed(runtime)
    borrowed.settings = dataclasses.replace(settings, smtp_url=smtp_url)
    borrowed.mailer = Mailer(smtp_url, settings.var_dir / "mail", settings.mail_from, timeout=3.0)
    return create_app(borrowed.settings, runtime=borrowed)


async def _subscribe(client, email: str):
    return await client.post("/api/v1/subscriptions", json={"email": email, "filters": {"state": ["NY"]}})


async def _rows(email: str) -> list[dict]:
    return await Subscriber.select(Subscriber.email, Subscriber.confirmed_at).where(
        Subscriber.email == email).run()


def _confirm_link(smtp, email: str) -> str:
    body = smtp.to(email)[-1].get_body(("plain",)).get_content()
    return re.search(r"/subscribe/confirm/\S+", body).group(0)


async def test_smtp_refusing_connections_answers_503_then_the_retry_delivers(runtime, settings, smtp):
    port = free_port()  # nothing listens here: connection refused, like a stopped server
    async with app_client(_app(runtime, settings, f"smtp://127.0.0.1:{port}")) as down:
        resp = await _subscribe(down, "refused@example.org")
    assert resp.status_code == 503, resp.text
    assert "Email cannot be sent right now" in resp.json()["detail"]
    assert resp.headers.get("retry-after")
    assert [r["confirmed_at"] for r in await _rows("refused@example.org")] == [None]

    async with app_client(_app(runtime, settings, smtp.url)) as up:
        retry = await _subscribe(up, "refused@example.org")
        assert retry.status_code == 202, retry.text
        assert len(await _rows("refused@example.org")) == 1  # the retry reused the row
        confirm = await post_form(up, _confirm_link(smtp, "refused@example.org"))
    assert confirm.status_code == 200
    assert (await _rows("refused@example.org"))[0]["confirmed_at"] is not None


@pytest.mark.parametrize("fault, status", [
    ("drop-after-data", 503), ("421 4.3.2 Service not available, try later", 503),
    ("550 5.1.1 No such user", 400),
])
async def test_smtp_faults_during_a_request_answer_clearly_and_keep_one_valid_row(
        runtime, settings, smtp, fault, status):
    email = f"fault-{status}-{len(fault)}@example.org"
    smtp.faults[email] = fault
    async with app_client(_app(runtime, settings, smtp.url)) as client:
        resp = await _subscribe(client, email)
        assert resp.status_code == status, resp.text
        detail = resp.json()["detail"]
        assert ("email" in detail) if status == 400 else ("try again" in detail), detail
        assert len(await _rows(email)) == 1
        if status == 503:
            # Temporary faults clear (the sink fails once); the retry is delivered.
            retry = await _subscribe(client, email)
            assert retry.status_code == 202, retry.text
            assert smtp.to(email)
            confirm = await post_form(client, _confirm_link(smtp, email))
            assert confirm.status_code == 200
            assert (await _rows(email))[0]["confirmed_at"] is not None
    assert len(await _rows(email)) == 1
