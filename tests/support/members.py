"""Members for web tests: one factory writing a real member row (a real argon2id hash), logging
in through the real /login form with its CSRF token, and form posts that carry the CSRF token
like a browser does."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import httpx
from argon2 import PasswordHasher

from board.core.passwords import hash_password_sync
from board.store.tables import Member

PASSWORD = "correct horse battery"
# Real argon2id, cheap parameters: tests need not pay for production strength (the first
# login upgrades the hash to production parameters, as it would a weaker stored hash).
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_seq = itertools.count(1)


async def make_member(institution_id: int | None, email: str | None = None, *,
                      password: str = PASSWORD, verified: bool = True, staff: bool = False,
                      active: bool = True, name: str = "Dr Test") -> dict[str, Any]:
    """The member's `id`, `email` and `password` (to log in with)."""
    email = email or f"member{next(_seq)}@hospital.example.org"
    row = Member(institution=institution_id, email=email, name=name,
                 password_hash=hash_password_sync(password, CHEAP_HASHER),
                 is_staff=staff, is_active=active,
                 email_verified_at=dt.datetime.now(dt.UTC) if verified else None)
    await row.save().run()
    return {"id": row.id, "email": email, "password": password}


async def csrf_token(client: httpx.AsyncClient, page: str = "/login") -> str:
    if not client.cookies.get("csrftoken"):
        await client.get(page)
    return client.cookies["csrftoken"]


async def post_form(client: httpx.AsyncClient, url: str, data: dict[str, Any] | None = None,
                    files: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(url, data={**(data or {}), "_csrf_token": token}, files=files, **kw)


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD
                ) -> httpx.Response:
    """The /login answer, whatever it is (tests of refused logins look at it)."""
    return await post_form(client, "/login", {"email": email, "password": password})


async def log_in_as(client: httpx.AsyncClient, member: dict[str, Any]) -> None:
    """Log `member` (from `make_member`) in, failing the test if the form refuses."""
    response = await login(client, member["email"], member["password"])
    assert response.history and response.history[0].status_code == 303, response.text[:500]
