"""Helpers for the account, dashboard, staff and security tests: CSRF-aware form posts,
members created through the real password hashing, and the mails the app wrote."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

import httpx

from board.core.passwords import hash_password
from board.settings import Settings
from board.store.tables import Member

PASSWORD = "correct horse battery"


async def csrf_token(client: httpx.AsyncClient) -> str:
    if "csrftoken" not in client.cookies:
        await client.get("/login")
    return client.cookies["csrftoken"]


async def post_form(client: httpx.AsyncClient, url: str, data: dict | None = None,
                    **kw) -> httpx.Response:
    form = {"_csrf_token": await csrf_token(client), **(data or {})}
    return await client.post(url, data=form, **kw)


async def make_member(email_address: str, institution_id: int | None, *, password: str = PASSWORD,
                      verified: bool = True, staff: bool = False, active: bool = True,
                      name: str = "Dr Test") -> int:
    row = Member(institution=institution_id, email=email_address, name=name,
                 password_hash=await hash_password(password), is_staff=staff, is_active=active,
                 email_verified_at=dt.datetime.now(dt.UTC) if verified else None)
    await row.save().run()
    return row.id


async def login(client: httpx.AsyncClient, email_address: str, password: str = PASSWORD
                ) -> httpx.Response:
    return await post_form(client, "/login", {"email": email_address, "password": password})


def mails(settings: Settings) -> list[EmailMessage]:
    folder = Path(settings.var_dir) / "mail"
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(folder.glob("*.eml"))]


def text_of(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def link_in(msg: EmailMessage, path_prefix: str) -> str:
    """The path (from `path_prefix` on) of the first link in the mail's text part."""
    found = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s]*)", text_of(msg))
    assert found, f"no {path_prefix} link in: {text_of(msg)}"
    return found.group(1)


async def search_ids(client: httpx.AsyncClient, **params) -> set[int]:
    page = await client.get("/api/v1/opportunities", params={"per_page": 50, **params})
    assert page.status_code == 200, page.text
    return {hit["id"] for hit in page.json()["hits"]}


async def wait_for_search(client: httpx.AsyncClient, predicate, attempts: int = 100, **params):
    """Poll the search API until `predicate(hits)` holds (the outbox drains in the
    background after a kick); fail with the last answer otherwise. Not a timing assertion:
    the limit only stops a broken drain from hanging the suite."""
    import asyncio

    hits: list = []
    for _ in range(attempts):
        page = await client.get("/api/v1/opportunities", params={"per_page": 50, **params})
        hits = page.json()["hits"]
        if predicate(hits):
            return hits
        await asyncio.sleep(0.1)
    raise AssertionError(f"search never matched; last hits: {hits}")
