"""Rate limits on login, sign-up and reset: per client address (X-Forwarded-For believed
only from a trusted proxy) and per account, answering 429 with a clear message."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import httpx

from board.accounts.views import LOGIN_ATTEMPTS_PER_ACCOUNT
from board.app import create_app
from board.runtime import Runtime
from board.web.ratelimit import PER_CLIENT_PER_MINUTE
from tests.support.factories import make_institution
from tests.support.members import PASSWORD, csrf_token, make_member


async def _fail_login(client, email: str, forwarded: str | None = None) -> httpx.Response:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return await client.post("/login", headers=headers, data={
        "email": email, "password": "wrong password", "_csrf_token": await csrf_token(client)})


async def _early_in_a_minute() -> None:
    # The per-client window is a fixed minute (its number is in the counter's key): a burst
    # that straddles a minute boundary starts a new count, so start well inside one.
    if time.time() % 60 > 30:
        await asyncio.sleep(60 - time.time() % 60 + 0.1)


async def test_failed_logins_hit_429_and_forwarded_for_does_not_reset_it(client):
    await _early_in_a_minute()
    statuses = []
    for i in range(PER_CLIENT_PER_MINUTE + 3):
        # Another address claimed and another account every time: only the socket counts.
        page = await _fail_login(client, f"user{i}@example.org", forwarded=f"203.0.113.{i}")
        statuses.append(page.status_code)
    assert statuses[:PER_CLIENT_PER_MINUTE] == [400] * PER_CLIENT_PER_MINUTE
    assert statuses[PER_CLIENT_PER_MINUTE:] == [429] * 3
    assert "Too many attempts" in page.text
    # Sign-up from the same client has its own budget.
    assert (await client.get("/signup")).status_code == 200


class _WithSettings(Runtime):
    def __init__(self, rt: Runtime, settings):
        self.__dict__.update(rt.__dict__)
        self.settings = settings

    async def start(self, *, apply_settings: bool = True) -> None:
        return None

    async def stop(self) -> None:
        return None


async def test_behind_a_trusted_proxy_the_account_limit_still_holds(runtime):
    settings = dataclasses.replace(runtime.settings, trusted_proxies=("127.0.0.1",))
    app = create_app(settings, runtime=_WithSettings(runtime, settings))
    inst = await make_institution()
    await make_member(inst, "ann@example.org")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver.local") as client:
        limit = LOGIN_ATTEMPTS_PER_ACCOUNT[0]
        statuses = [(await _fail_login(client, "ann@example.org", forwarded=f"198.51.100.{i}")).status_code
                    for i in range(limit + 2)]
        assert statuses == [400] * limit + [429] * 2
        # Locked: even the right password waits for the window to pass.
        page = await client.post("/login", headers={"x-forwarded-for": "198.51.100.250"}, data={
            "email": "ann@example.org", "password": PASSWORD, "_csrf_token": await csrf_token(client)})
        assert page.status_code == 429
        # Another account from another (forwarded) address is not affected.
        other = await _fail_login(client, "bob@example.org", forwarded="198.51.100.251")
        assert other.status_code == 400
        # The same forwarded address is counted together by the per-client limit (a burst
        # straddling a minute boundary would start a new count: under load it did).
        await _early_in_a_minute()
        same = [(await _fail_login(client, f"x{i}@example.org", forwarded="192.0.2.9")).status_code
                for i in range(PER_CLIENT_PER_MINUTE + 1)]
        assert same[-1] == 429 and same[0] == 400


async def test_reset_requests_are_limited_per_address(client, settings):
    statuses = []
    for i in range(PER_CLIENT_PER_MINUTE + 1):
        page = await client.post("/password-reset", data={
            "email": f"u{i}@example.org", "_csrf_token": await csrf_token(client)})
        statuses.append(page.status_code)
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}


async def test_parallel_guesses_are_counted_before_the_password_is_checked(runtime):
    # From many (forwarded) addresses at once: before, failures were counted after the
    # check by read-then-write, so all of them were checked; now exactly the limit is.
    settings = dataclasses.replace(runtime.settings, trusted_proxies=("127.0.0.1",))
    app = create_app(settings, runtime=_WithSettings(runtime, settings))
    inst = await make_institution()
    await make_member(inst, "ann@example.org")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver.local") as client:
        await csrf_token(client)
        limit = LOGIN_ATTEMPTS_PER_ACCOUNT[0]
        pages = await asyncio.gather(*(_fail_login(client, "ann@example.org",
                                                   forwarded=f"2001:db8:{i}::1")
                                       for i in range(limit + 20)))
        statuses = [p.status_code for p in pages]
        assert statuses.count(400) == limit and statuses.count(429) == 20, statuses


async def test_ipv6_addresses_of_one_64_share_the_per_client_budget(runtime):
    settings = dataclasses.replace(runtime.settings, trusted_proxies=("127.0.0.1",))
    app = create_app(settings, runtime=_WithSettings(runtime, settings))
    await _early_in_a_minute()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver.local") as client:
        statuses = [(await _fail_login(client, f"u{i}@example.org",
                                       forwarded=f"2001:db8:7:7::{i + 1:x}")).status_code
                    for i in range(PER_CLIENT_PER_MINUTE + 1)]
        assert statuses == [400] * PER_CLIENT_PER_MINUTE + [429]
        # Another /64 has its own budget.
        assert (await _fail_login(client, "v@example.org", forwarded="2001:db8:7:8::1")
                ).status_code == 400
