"""Every state-changing route refuses a request without the CSRF token. The routes are
enumerated from the app, so a new form cannot forget it; only the bearer-token JSON API and
the RFC 8058 one-click unsubscribe are exempt."""

from __future__ import annotations

import re

from tests.support.factories import make_institution
from tests.support.members import login, make_member, post_form

EXEMPT = (re.compile(r"^/api/"), re.compile(r"^/unsubscribe/\{"))
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _unsafe_routes(app) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        for method in sorted(set(getattr(route, "methods", ())) & UNSAFE):
            if not any(p.search(route.path) for p in EXEMPT):
                found.append((method, route.path))
    return found


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}:]+(:int)?\}", "1", re.sub(r"\{[^}]+:str\}", "token", path))


async def test_every_non_get_route_rejects_a_request_without_the_token(client):
    inst = await make_institution()
    await make_member(inst, "ann@example.org", staff=True)
    await login(client, "ann@example.org")           # logged in, holding a csrftoken cookie
    routes = _unsafe_routes(client.app)
    paths = {p for _, p in routes}
    # The forms of this app must all be covered (guards against a silently empty list).
    assert {"/login", "/logout", "/signup", "/password-reset", "/dashboard/opportunities/new",
            "/staff/opportunities/{opportunity_id:int}/approve"} <= paths, paths
    for method, path in routes:
        url = _concrete(path)
        page = await client.request(method, url, data={"reason": "x", "email": "a@b.org"})
        assert page.status_code == 403, (method, path, page.status_code)
        forged = await client.request(method, url, data={"_csrf_token": "forged"},
                                      headers={"x-csrftoken": "forged"})
        assert forged.status_code == 403, (method, path, forged.status_code)
    # Still logged in: no unsafe request went through (logout was among them).
    assert (await client.get("/dashboard", follow_redirects=False)).status_code == 200


async def test_the_token_lets_the_same_request_through(client):
    inst = await make_institution()
    await make_member(inst, "ann@example.org")
    await login(client, "ann@example.org")
    page = await post_form(client, "/logout", follow_redirects=False)
    assert page.status_code == 303


async def test_every_form_in_the_pages_carries_the_token(client):
    inst = await make_institution()
    await make_member(inst, "ann@example.org", staff=True)
    await login(client, "ann@example.org")
    for path in ("/dashboard", "/dashboard/opportunities/new", "/staff", "/staff/institutions"):
        html = (await client.get(path)).text
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S)
        assert forms, path
        for body in forms:
            assert 'name="_csrf_token"' in body, (path, body[:200])
