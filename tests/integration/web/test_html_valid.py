"""Every page template's rendered output is valid HTML for the Nu HTML Checker (vnu): the
search page with results and facets, listing pages, every form (also re-shown with errors),
the dashboard, staff pages, error pages, the pages behind mailed links, and the HTML part of
the mails those flows send. One vnu run checks them all (Java starts once)."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

from board.digests.subscriptions import token_for
from board.digests.tasks import run_digest
from board.indexing.gateway import utcnow
from board.listings import reminders
from board.listings import services as listings
from board.moderation.reports import file_report
from board.store.tables import Opportunity, Subscriber
from tests.support.app import app_client
from tests.support.factories import make_institution, make_listing, make_pending
from tests.support.mail import link_in, mails
from tests.support.members import log_in_as, make_member, post_form
from tests.support.outbox import drain_all
from tests.support.vnu import vnu_errors


async def _seed() -> dict[str, int]:
    inst = await make_institution("St. Mary's Teaching Hospital")
    unverified = await make_institution("Lakeshore Clinic", verified=False)
    open_id = await make_listing(
        inst, title="Hands-on Internal Medicine Externship", hands_on=True, lor_offered=True,
        fee_usd=1500, duration_weeks=4, usmle_step1_required=True,
        description="## What you will do\n\n- Rounds with the team\n- Clinic twice a week")
    for n in range(3):
        await make_listing(inst, title=f"Cardiology Research Mentorship {n + 1}", kind="research",
                           specialty="Cardiovascular disease", state="CA", city="Los Angeles")
    closed_id = await make_listing(inst, title="Neurology Observership", specialty="Neurology")
    await listings.close(closed_id)
    pending_id = await make_pending(unverified, title="Pending Surgery Observership")
    await make_member(unverified, "poster@lakeshore.example.org")
    await file_report(open_id, {"reason": "The application link is broken.", "email": ""})
    return {"inst": inst, "open": open_id, "closed": closed_id, "pending": pending_id}


def _html_part(msg: EmailMessage) -> str | None:
    part = msg.get_body(preferencelist=("html",))
    return part.get_content() if part is not None and part.get_content_type() == "text/html" else None


async def _collect(client, runtime, ids: dict[str, int]) -> dict[str, str]:
    pages: dict[str, str] = {}

    async def get(name: str, path: str, status: int = 200, c=None) -> None:
        r = await (c or client).get(path)
        assert r.status_code == status, (path, r.status_code, r.text[:300])
        pages[name] = r.text

    async def post(name: str, path: str, data: dict, status: int = 200, c=None) -> None:
        r = await post_form(c or client, path, data)
        assert r.status_code == status, (path, r.status_code, r.text[:300])
        pages[name] = r.text

    # Visitors: search (results and facets, filtered, empty, bad input), listings, static pages.
    await get("search", "/")
    await get("search-filtered", "/?q=cardiology&state=CA&state=TX&kind=research&fee_max=2000"
                                 "&specialty=Cardiovascular+disease&facet_q=cardio")
    await get("search-page-2", "/?per_page=2&page=2")
    await get("search-empty", "/?q=zzzzqqqq")
    await get("search-bad-input", "/?state=ZZ", 400)
    await get("listing", f"/opportunities/{ids['open']}")
    await get("listing-closed", f"/opportunities/{ids['closed']}")
    await get("not-found", "/opportunities/999999", 404)
    for name in ("about", "privacy", "contact", "signup", "login", "password-reset"):
        await get(name, f"/{name}")
    await get("report", f"/opportunities/{ids['open']}/report")
    await post("report-errors", f"/opportunities/{ids['open']}/report", {"reason": ""}, 400)
    await post("signup-errors", "/signup", {"email": "not-an-email"}, 400)
    await post("login-refused", "/login", {"email": "nobody@example.org", "password": "x"}, 400)
    await post("signed-up", "/signup", {
        "institution_name": "Riverside Hospital", "institution_kind": "hospital",
        "website": "https://riverside.example.org", "city": "Chicago", "state": "IL",
        "name": "Dr Osei", "email": "osei@riverside.example.org", "password": "long enough pass 1"})
    await get("verify", link_in(mails(runtime.settings)[-1], "/verify/"))

    # Subscribing: the form, "check your mail", the mailed confirm link, manage, unsubscribe.
    await get("subscribe", "/subscribe?state=CA&specialty=Cardiovascular+disease")
    await post("subscribe-sent", "/subscribe?state=CA", {"email": "ada@example.org", "state": "CA"})
    confirm = link_in(mails(runtime.settings)[-1], "/subscribe/confirm/")
    await get("subscribe-confirm", confirm)
    await post("subscribe-confirmed", confirm, {})
    sub = await Subscriber.select().first().run()
    secret = runtime.settings.signing_keys
    await get("manage", f"/manage/{token_for(sub, 'manage', secret)}")
    # A new listing for the confirmed search, then the weekly digest mail.
    await make_listing(ids["inst"], now=utcnow() + dt.timedelta(minutes=5),  # after confirming
                       title="Cardiology Observership", state="CA", city="San Diego")
    await drain_all(runtime.gateway)
    counts = await run_digest(runtime, utcnow() + dt.timedelta(days=8))
    assert counts["sent"] == 1, counts
    await get("unsubscribe", f"/unsubscribe/{token_for(sub, 'unsubscribe', secret)}")
    await post("unsubscribe-done", f"/unsubscribe/{token_for(sub, 'unsubscribe', secret)}", {})
    await get("bad-link", "/manage/not-a-token", 400)

    # Password reset through its mailed link.
    member = await make_member(ids["inst"])
    await post("password-reset-sent", "/password-reset", {"email": member["email"]})
    await get("password-reset-form", link_in(mails(runtime.settings)[-1], "/password-reset/"))

    # An institution member: dashboard, the listing form (new, with errors, edit), preview,
    # import, API tokens, an invitation and the renew link of a reminder mail.
    async with app_client(client.app) as member_client:
        await log_in_as(member_client, member)
        await get("dashboard", "/dashboard", c=member_client)
        await get("listing-new", "/dashboard/opportunities/new", c=member_client)
        await post("listing-new-errors", "/dashboard/opportunities/new", {"title": "Obs"}, 400,
                   c=member_client)
        await get("listing-edit", f"/dashboard/opportunities/{ids['open']}/edit", c=member_client)
        await get("listing-preview", f"/dashboard/opportunities/{ids['open']}/preview", c=member_client)
        await get("import", "/dashboard/import", c=member_client)
        await get("tokens", "/dashboard/tokens", c=member_client)
        await post("invite-sent", "/dashboard/invite", {"email": "colleague@example.org"},
                   c=member_client)
        await get("invite", link_in(mails(runtime.settings)[-1], "/invite/"))
    row = await Opportunity.select(Opportunity.expires_at).where(Opportunity.id == ids["open"]).first().run()
    now = utcnow()
    renew = reminders.renew_token(runtime.settings, ids["open"], row["expires_at"], now)
    await get("renew", f"/renew/{renew}")
    remind_at = now + dt.timedelta(days=runtime.settings.listing_days - runtime.settings.remind_days + 1)
    assert (await reminders.send_reminders(runtime, remind_at))["sent"] >= 1

    # Staff pages.
    staff = await make_member(None, "mod@example.org", staff=True)
    async with app_client(client.app) as staff_client:
        await log_in_as(staff_client, staff)
        for name in ("staff", "staff/institutions", "staff/reports", "staff/jobs"):
            await get(name, f"/{name}", c=staff_client)
        await post("staff-rejected", f"/staff/opportunities/{ids['pending']}/reject",
                   {"reason": "Please state the fee."}, c=staff_client)

    # The HTML part of every mail these flows sent.
    for n, msg in enumerate(mails(runtime.settings)):
        html = _html_part(msg)
        if html is not None:
            pages[f"mail-{n}-{msg['Subject']}"] = html
    return pages


async def test_every_page_and_mail_is_valid_html(client, runtime):
    ids = await _seed()
    await drain_all(runtime.gateway)
    pages = await _collect(client, runtime, ids)
    mailed = sorted(name for name in pages if name.startswith("mail-"))
    # verify, confirm, digest, reset, invite, remind (one per listing), rejected
    assert len(mailed) >= 7, mailed
    assert vnu_errors(pages) == []


def test_the_checker_reports_what_it_must():
    """The checker itself runs and catches the two errors this board once had."""
    errors = vnu_errors({"bad": '<!DOCTYPE html><html lang="en"><title>t</title>'
                                '<span aria-label="3 listings">3</span><form hx-get="/"></form>'})
    assert len(errors) == 2 and "aria-label" in errors[0] and "hx-get" in errors[1], errors
