"""Script in a title, a description, an institution name or a city is rendered inert on
every page that shows it; Markdown is sanitized and links get rel="nofollow noopener"."""

from __future__ import annotations

import re

from board.listings import services as listings
from board.store.tables import Report
from tests.support.factories import make_institution, make_listing
from tests.support.members import login, make_member, post_form
from tests.support.outbox import wait_for_search

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


def _without_json_ld(html: str) -> str:
    """JSON-LD is data, never run; it is inert as long as nothing in it can end the element."""
    def check(match: re.Match) -> str:
        assert "<" not in match.group(1), match.group(1)
        return "<script type=\"application/ld+json\"></script>"

    return re.sub(r'<script type="application/ld\+json">(.*?)</script>', check, html, flags=re.S)


def assert_inert(html: str, where: str) -> None:
    html = _without_json_ld(html)
    assert SCRIPT not in html, where
    assert "<img" not in html, where          # escaped text (&lt;img ...) is inert
    assert 'href="javascript:' not in html, where
    # The only <script> elements are ours: external files or JSON-LD data.
    for tag in re.findall(r"<script[^>]*>", html, re.I):
        assert "src=\"/static/" in tag or "application/ld+json" in tag, (where, tag)


async def test_hostile_text_is_inert_everywhere(client):
    inst = await make_institution(name=f"Evil {SCRIPT} Hospital", city=f"Town{IMG}", verified=False)
    await make_member(inst, "ann@example.org")
    await make_member(None, "mod@example.org", staff=True)
    description = (f"Hello {SCRIPT} {IMG}\n\n[click](javascript:alert(3)) "
                   "[site](https://example.org/page)")
    live = await make_listing(inst, title=f"Observership {SCRIPT}", city=f"Houston{IMG}",
                              description=description)
    pending = await make_listing(inst, publish=False, title=f"Pending {SCRIPT}", city=f"Austin{IMG}",
                                 description=description)
    await listings.submit(pending)
    await Report.insert(Report(opportunity=live, reason=f"Bad {SCRIPT}", email="r@example.org")).run()

    public = await client.get(f"/opportunities/{live}")
    assert "Observership &lt;script&gt;" in public.text
    assert 'href="https://example.org/page"' in public.text
    link = re.search(r'<a[^>]*href="https://example.org/page"[^>]*>', public.text).group(0)
    assert "nofollow" in link and "noopener" in link
    # JSON-LD cannot be closed by the title either.
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', public.text, re.S)
    assert ld and "<" not in ld.group(1)
    await wait_for_search(client, lambda hits: live in [h["id"] for h in hits])
    pages = {"listing": public.text,
             "search": (await client.get("/", params={"q": "Observership"})).text,
             "search-htmx": (await client.get("/", params={"q": "Observership"},
                                              headers={"hx-request": "true"})).text,
             "feed": (await client.get("/feed.atom")).text}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["search"]

    await login(client, "ann@example.org")
    pages["dashboard"] = (await client.get("/dashboard")).text
    pages["preview"] = (await client.get(f"/dashboard/opportunities/{pending}/preview")).text
    pages["edit"] = (await client.get(f"/dashboard/opportunities/{pending}/edit")).text
    assert "Pending &lt;script&gt;" in pages["dashboard"]
    # A form that failed validation echoes the hostile values back, escaped.
    pages["edit-error"] = (await post_form(client, f"/dashboard/opportunities/{pending}/edit", {
        "title": SCRIPT, "city": IMG, "description": SCRIPT, "kind": "nope"})).text
    await post_form(client, "/logout")

    await login(client, "mod@example.org")
    for path in ("/staff", "/staff/institutions", "/staff/reports"):
        pages[path] = (await client.get(path)).text
    assert "Evil &lt;script&gt;" in pages["/staff/institutions"]
    assert "Bad &lt;script&gt;" in pages["/staff/reports"]
    for where, html in pages.items():
        assert_inert(html, where)


async def test_signup_with_hostile_names_renders_escaped(client):
    page = await post_form(client, "/signup", {
        "institution_name": SCRIPT, "institution_kind": "clinic", "website": "https://x.example.org",
        "city": IMG, "state": "NY", "name": SCRIPT, "email": "bad", "password": "long enough pw"})
    assert page.status_code == 400
    assert_inert(page.text, "signup")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
