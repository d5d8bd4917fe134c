"""GET /healthz names the failing part; the OpenAPI schema is served."""

from __future__ import annotations

import dataclasses

from board.app import create_app
from board.runtime import Runtime
from search.server import free_port
from tests.support.app import app_client


async def test_healthz_all_ok(client):
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "store": "ok", "search": "ok", "mail": "ok"}


async def test_healthz_names_search_and_mail_when_they_are_down(settings, store):
    broken = dataclasses.replace(
        settings, meili_url=f"http://127.0.0.1:{free_port()}",
        smtp_url=f"smtp://127.0.0.1:{free_port()}",
    )
    rt = Runtime.build(broken)
    await rt.start()  # tolerates an unreachable engine: web workers must still answer
    app = create_app(broken, runtime=rt)
    try:
        async with app_client(app) as c:
            r = await c.get("/healthz")
    finally:
        await rt.drainer.stop()
        await rt.client.aclose()
    assert r.status_code == 503
    body = r.json()
    assert body["store"] == "ok"
    assert body["search"] == body["mail"] == "unavailable"
    assert "search" in body["status"] and "mail" in body["status"]
    assert "127.0.0.1" not in r.text and "Error" not in r.text  # no internal detail


async def test_healthz_checks_mail_once_a_minute(client, monkeypatch):
    from board.mail.transport import Mailer
    from board.web import health
    from tests.support.mail import SmtpSink

    smtp = SmtpSink()
    smtp.start()
    rt = client.app.state.runtime
    rt.mailer = Mailer(smtp.url, rt.settings.var_dir / "mail", rt.settings.mail_from)
    assert (await client.get("/healthz")).json()["mail"] == "ok"
    smtp.stop()  # the real server is gone: only a fresh check can notice
    for _ in range(3):
        assert (await client.get("/healthz")).json()["mail"] == "ok"  # the cached answer
    monkeypatch.setattr(health, "MAIL_CHECK_TTL", 0.0)
    health._mail_checks.clear()
    r = await client.get("/healthz")
    assert r.status_code == 503 and r.json()["mail"] == "unavailable"


async def test_openapi_schema_lists_the_api(client):
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/opportunities" in paths and "/api/v1/opportunities/{opportunity_id}" in paths


async def test_html_answers_carry_security_headers(client):
    r = await client.get("/about")
    assert r.status_code == 200
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"]
