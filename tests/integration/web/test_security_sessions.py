"""Sessions: the id changes at login (no fixation), the old cookie is anonymous after login
and after logout, and the cookie is HttpOnly and SameSite=Lax."""

from __future__ import annotations

import httpx

from board.store.tables import KeyValue
from tests.support.factories import make_institution
from tests.support.members import PASSWORD, csrf_token, make_member


def _session_cookie(response: httpx.Response) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith("session="):
            return header
    return None


async def _anonymous_with(client: httpx.AsyncClient, cookie_value: str) -> bool:
    """Does a request carrying only this session cookie count as logged out?"""
    transport = httpx.ASGITransport(app=client.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as other:
        other.cookies.set("session", cookie_value)
        page = await other.get("/dashboard")
        return page.status_code == 303 and page.headers["location"].startswith("/login")


async def _login(client, email):
    return await client.post("/login", data={"email": email, "password": PASSWORD,
                                             "_csrf_token": await csrf_token(client)},
                             follow_redirects=False)


async def test_session_id_rotates_at_login_and_dies_at_logout(client):
    inst = await make_institution()
    await make_member(inst, "ann@example.org")
    # A session that exists before login (a flash message put it in the store).
    await client.get("/verify/garbage", follow_redirects=False)
    before = client.cookies.get("session")
    assert before and await KeyValue.exists().where(KeyValue.key == f"sessions:{before}").run()

    response = await _login(client, "ann@example.org")
    assert response.status_code == 303
    after = client.cookies.get("session")
    assert after and after != before
    assert not await KeyValue.exists().where(KeyValue.key == f"sessions:{before}").run()
    assert await _anonymous_with(client, before)            # the pre-login id grants nothing
    assert not await _anonymous_with(client, after)         # the new one is the login

    await client.post("/logout", data={"_csrf_token": await csrf_token(client)}, follow_redirects=False)
    assert await _anonymous_with(client, after)             # the old cookie is anonymous now
    assert not await KeyValue.exists().where(KeyValue.key == f"sessions:{after}").run()


async def test_a_planted_session_id_is_not_adopted(client):
    inst = await make_institution()
    await make_member(inst, "ann@example.org")
    token = await csrf_token(client)
    client.cookies.set("session", "attacker-chosen-id", domain="testserver.local")
    response = await client.post("/login", data={"email": "ann@example.org", "password": PASSWORD,
                                                  "_csrf_token": token}, follow_redirects=False)
    assert response.request.headers["cookie"].count("session=attacker-chosen-id") == 1
    assert response.status_code == 303
    assert client.cookies.get("session") != "attacker-chosen-id"
    assert await _anonymous_with(client, "attacker-chosen-id")


async def test_session_cookie_is_httponly_and_samesite_lax(client):
    inst = await make_institution()
    await make_member(inst, "ann@example.org")
    header = _session_cookie(await _login(client, "ann@example.org"))
    assert header is not None
    flags = {part.strip().lower() for part in header.split(";")}
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags


async def test_anonymous_visits_store_no_session(client):
    await client.get("/")
    await client.get("/login")
    assert "session" not in client.cookies
    assert await KeyValue.count().where(KeyValue.key.like("sessions:%")).run() == 0
