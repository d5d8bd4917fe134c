"""Logged-in members for web tests: a real member row, logged in through the real /login
form (with its CSRF token), and form posts that carry the CSRF token like a browser."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import httpx

from board.core.passwords import hash_password_sync
from board.store.tables import Member

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


async def make_member(institution_id: int | None, email: str | None = None,
                      is_staff: bool = False) -> dict[str, Any]:
    email = email or f"member{next(_seq)}@hospital.example.org"
    # Few iterations: the hash is real, but tests need not pay for production strength.
    row = Member(institution=institution_id, email=email, name="Dr Test",
                 password_hash=hash_password_sync(PASSWORD, iterations=1000),
                 is_staff=is_staff, email_verified_at=dt.datetime.now(dt.UTC))
    await row.save().run()
    return {"id": row.id, "email": email, "password": PASSWORD}


async def csrf_token(client: httpx.AsyncClient, page: str = "/login") -> str:
    if not client.cookies.get("csrftoken"):
        await client.get(page)
    return client.cookies["csrftoken"]


async def log_in(client: httpx.AsyncClient, member: dict[str, Any]) -> None:
    token = await csrf_token(client)
    response = await client.post("/login", data={
        "email": member["email"], "password": member["password"], "_csrf_token": token})
    assert response.history and response.history[0].status_code == 303, response.text[:500]


async def post_form(client: httpx.AsyncClient, url: str, data: dict[str, Any] | None = None,
                    files: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(url, data={**(data or {}), "_csrf_token": token}, files=files, **kw)
