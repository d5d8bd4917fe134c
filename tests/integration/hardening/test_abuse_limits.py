"""Abuse: sign-up, subscribe and report are limited per client address and per target
(email address, listing), and a rotating X-Forwarded-For does not reset a limit unless the
request came through a configured trusted proxy (login is covered in
test_security_ratelimit). In production the app answers only for its allowed hosts, and its
CSRF and session cookies are Secure, HttpOnly (session) and SameSite=Lax."""

from __future__ import annotations

import dataclasses

from board.accounts.views import SIGNUPS_PER_CLIENT
from board.app import create_app
from board.digests import views as subscriptions
from board.moderation import report_views as reports
from board.store.tables import Member, Report, Subscriber
from tests.support.app import Borrowed, app_client
from tests.support.factories import make_institution, make_listing
from tests.support.members import csrf_token, make_member


def _app(runtime, settings, **changes):
    borrowed = Borrowed(runtime)
    borrowed.settings = dataclasses.replace(settings, **changes)
    return create_app(borrowed.settings, runtime=borrowed)


def _signup(i: int) -> dict[str, str]:
    return {"institution_name": f"Abuse Clinic {i}", "institution_kind": "clinic",
            "website": "https://clinic.example.org", "city": "Austin", "state": "TX",
            "name": "Dr Abuse", "email": f"abuse{i}@clinic.example.org",
            "password": "correct horse battery"}


async def _post_form(client, url: str, data: dict, forwarded: str) -> int:
    token = await csrf_token(client, "/login")
    resp = await client.post(url, data={**data, "_csrf_token": token},
                             headers={"X-Forwarded-For": forwarded})
    return resp.status_code


async def test_signup_is_limited_per_client_and_forwarded_for_does_not_reset_it(runtime, settings):
    limit = SIGNUPS_PER_CLIENT[0]
    async with app_client(_app(runtime, settings)) as client:
        client.follow_redirects = False
        codes = [await _post_form(client, "/signup", _signup(i), f"203.0.113.{i}")
                 for i in range(limit + 2)]
    assert codes == [303] * limit + [429] * 2, codes
    assert await Member.count().run() == limit  # the refused sign-ups stored nothing


async def test_behind_a_trusted_proxy_each_forwarded_client_counts_alone(runtime, settings):
    limit = SIGNUPS_PER_CLIENT[0]
    async with app_client(_app(runtime, settings, trusted_proxies=("127.0.0.1/32",))) as client:
        client.follow_redirects = False
        rotating = [await _post_form(client, "/signup", _signup(100 + i), f"198.51.100.{i}")
                    for i in range(limit + 2)]
        same = [await _post_form(client, "/signup", _signup(200 + i), "192.0.2.7")
                for i in range(limit + 1)]
    assert rotating == [303] * (limit + 2)
    assert same == [303] * limit + [429]


async def test_subscribe_is_limited_per_client_and_per_email_address(runtime, settings):
    per_client = subscriptions.PER_CLIENT_PER_HOUR
    async with app_client(_app(runtime, settings)) as client:
        # One client, many addresses, rotating forwarded-for from an untrusted peer.
        codes = [(await client.post("/api/v1/subscriptions", json={
            "email": f"s{i}@example.org", "filters": {"state": ["NY"]}},
            headers={"X-Forwarded-For": f"203.0.113.{i}"})).status_code for i in range(per_client + 2)]
    assert codes == [202] * per_client + [429] * 2, codes
    assert await Subscriber.count().run() == per_client

    async with app_client(_app(runtime, settings, trusted_proxies=("127.0.0.1/32",))) as client:
        # Many clients (through the proxy), one address, a new filter each time.
        same_address = [(await client.post("/api/v1/subscriptions", json={
            "email": "target@example.org", "filters": {"state": [state]}},
            headers={"X-Forwarded-For": f"198.51.100.{i}"})).status_code
            for i, state in enumerate(["NY", "TX", "CA", "FL", "WA"])]
    assert same_address[:3] == [202] * 3 and same_address[3:] == [429, 429], same_address
    assert await Subscriber.count().where(Subscriber.email == "target@example.org").run() == 3


async def test_report_is_limited_per_client_and_per_listing(runtime, settings):
    per_client = reports.PER_CLIENT[0]
    inst = await make_institution()
    listing = await make_listing(inst)
    form = {"reason": "They ask for a fee by wire transfer.", "email": ""}
    async with app_client(_app(runtime, settings)) as client:
        client.follow_redirects = False
        codes = [await _post_form(client, f"/opportunities/{listing}/report", form, f"203.0.113.{i}")
                 for i in range(per_client + 2)]
    assert codes == [303] * per_client + [429] * 2, codes

    from board.moderation.reports import PER_LISTING_PER_HOUR
    async with app_client(_app(runtime, settings, trusted_proxies=("127.0.0.1/32",))) as client:
        client.follow_redirects = False
        many = [await _post_form(client, f"/opportunities/{listing}/report", form, f"198.51.100.{i}")
                for i in range(PER_LISTING_PER_HOUR)]
    assert many.count(429) == per_client  # the listing's own limit, whoever reports
    assert await Report.count().run() == PER_LISTING_PER_HOUR


def _production(settings, **changes):
    return dataclasses.replace(settings, env="production", secret_key="s" * 40,
                               base_url="https://board.example.org",
                               allowed_hosts=("board.example.org",), **changes)


async def test_production_enforces_allowed_hosts(runtime, settings):
    app = _production(settings)
    borrowed = Borrowed(runtime)
    borrowed.settings = app
    web = create_app(app, runtime=borrowed)
    async with app_client(web, base_url="https://board.example.org") as good:
        assert (await good.get("/")).status_code == 200
    async with app_client(web, base_url="https://evil.example.net") as evil:
        assert (await evil.get("/")).status_code == 400
        assert (await evil.get("/api/v1/opportunities")).status_code == 400
    # Development (and production without ALLOWED_HOSTS) answers any host name.
    async with app_client(_app(runtime, settings), base_url="http://other.example.net") as dev:
        assert (await dev.get("/")).status_code == 200


async def test_production_cookies_are_secure_httponly_and_lax(runtime, settings):
    web = create_app(_production(settings), runtime=Borrowed(runtime))
    web.state.runtime.settings = _production(settings)
    inst = await make_institution()
    member = await make_member(inst)
    async with app_client(web, base_url="https://board.example.org") as client:
        client.follow_redirects = False
        page = await client.get("/login")
        csrf = [c for c in page.headers.get_list("set-cookie") if c.startswith("csrftoken=")]
        assert csrf and "secure" in csrf[0].lower() and "samesite=lax" in csrf[0].lower()
        login = await client.post("/login", data={
            "email": member["email"], "password": member["password"],
            "_csrf_token": client.cookies["csrftoken"]})
        assert login.status_code == 303, login.text[:300]
        session = [c for c in login.headers.get_list("set-cookie") if not c.startswith("csrftoken=")]
    assert session, login.headers
    for cookie in session:
        flags = cookie.lower()
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, cookie
