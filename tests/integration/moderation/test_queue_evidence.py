"""The moderator's queue as issue 17 asks: the flagged phrase highlighted, the institution's
evidence (domain match never from webmail), tabs with counts, institutions with pending
listings first, Remove explained and confirmed, suspending an institution (search drops its
listings, submitting is refused, lifting it brings them back) and a readable job history."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from board.listings import services as listings
from board.moderation.evidence import domain_match, highlight
from board.store.tables import JobRun
from tests.support.factories import make_draft, make_institution, make_listing, make_pending
from tests.support.members import login, make_member, post_form
from tests.support.outbox import wait_for_search


async def _staff(client) -> None:
    await make_member(None, "mod@example.org", staff=True)
    await login(client, "mod@example.org")


def _card(page: str, title: str) -> str:
    start = page.index(title)
    return page[start:page.index("</article>", start)]


def test_webmail_never_matches_and_the_flagged_phrase_is_marked():
    assert domain_match("ann@clinic.example.org", "https://www.clinic.example.org/about")
    assert not domain_match("ann@gmail.com", "https://gmail.com")
    assert not domain_match("ann@outlook.com", "https://outlook.com/clinic")
    assert not domain_match("ann@other.example", "https://clinic.example.org")
    html = str(highlight("Great <b>teaching</b>. A guaranteed letter of recommendation!"))
    assert "&lt;b&gt;teaching&lt;/b&gt;" in html
    assert "<mark>guaranteed letter of recommendation</mark>!" in html


async def test_queue_card_shows_highlight_evidence_and_a_remove_confirmation(client):
    inst = await make_institution(name="Webmail Clinic", verified=False, website="https://webmail-clinic.example")
    await make_member(inst, "owner@gmail.com")
    await make_member(inst, "second@yahoo.com")
    await make_listing(inst, title="Earlier published listing")
    await make_draft(inst, title="A draft of theirs")
    await make_pending(inst, title="Flagged observership",
                       description="Pay the deposit before any contact with the doctor. Fun rotation.")
    matched = await make_institution(name="Matched Hospital", verified=False, website="https://matched.example.org")
    await make_member(matched, "dean@matched.example.org")
    await make_pending(matched, title="Plain observership")
    await _staff(client)
    page = (await client.get("/staff")).text

    flagged = _card(page, "Flagged observership")
    assert re.search(r"<mark>[^<]*deposit before any contact[^<]*</mark>", flagged)
    assert "https://webmail-clinic.example" in flagged
    assert "Webmail only" in flagged and "Matches the website" not in flagged
    assert re.search(r"<dt>Members</dt><dd>2</dd>", flagged)
    assert "1 draft" in flagged and "1 pending" in flagged and "1 published" in flagged
    # Remove sits behind a confirmation that says how it differs from Reject.
    assert '<details class="confirm-remove">' in flagged and "Yes, remove" in flagged
    assert "410 Gone" in flagged and "Reject" in flagged and "fix and submit again" in flagged
    assert "Suspend the institution" in flagged and "Reject the institution" in flagged

    plain = _card(page, "Plain observership")
    assert "Matches the website" in plain and "<mark>" not in plain


async def test_tabs_carry_counts_and_institutions_with_pending_listings_come_first(client):
    idle = await make_institution(name="Idle Institute", verified=False)
    busy = await make_institution(name="Busy Institute", verified=False)
    await make_pending(busy, title="Waiting listing")
    await make_draft(idle, title="Idle draft")
    await _staff(client)
    page = (await client.get("/staff/institutions")).text
    assert page.index("Busy Institute") < page.index("Idle Institute")
    counts = dict(re.findall(r'data-count="(\w+)">\((\d+)\)', page))
    assert counts == {"queue": "1", "institutions": "2", "reports": "0", "reviews": "0",
                      "jobs": "0"}
    assert 'data-count="queue">(1)' in (await client.get("/staff/jobs")).text


@pytest.mark.parametrize("action", ["suspend", "ban"])
async def test_suspending_or_rejecting_an_institution_takes_its_listings_out_of_search(client, action):
    inst = await make_institution(name=f"Shady {action}", verified=action == "suspend")
    opp = await make_listing(inst, title=f"Shady {action} observership")
    draft = await make_draft(inst, title="Their next listing")
    await wait_for_search(client, lambda hits: opp in [h["id"] for h in hits])
    await _staff(client)
    done = await post_form(client, f"/staff/institutions/{inst}/{action}",
                           headers={"referer": "/staff/institutions"})
    assert done.status_code == 200
    await wait_for_search(client, lambda hits: opp not in [h["id"] for h in hits])
    if action == "ban":
        return
    assert "Shady suspend" in done.text and "Lift the suspension" in done.text
    with pytest.raises(listings.LifecycleError, match="suspended"):
        await listings.submit(draft, inst)
    # Reversible: lifting it brings the listing back, untouched.
    await post_form(client, f"/staff/institutions/{inst}/unsuspend",
                    headers={"referer": "/staff/institutions"})
    await wait_for_search(client, lambda hits: opp in [h["id"] for h in hits])
    assert (await listings.get(opp))["status"] == "published"


async def test_job_runs_tab_counts_the_failures_of_the_last_day(client):
    now = dt.datetime.now(dt.UTC)
    await JobRun.insert(
        JobRun(key="count:recent", job="reconcile", slot=now - dt.timedelta(hours=2),
               status="failed", started_at=now - dt.timedelta(hours=2), error="down"),
        JobRun(key="count:old", job="reconcile", slot=now - dt.timedelta(days=2),
               status="failed", started_at=now - dt.timedelta(days=2), error="down"),
        JobRun(key="count:ok", job="purge", slot=now - dt.timedelta(hours=1),
               status="ok", started_at=now - dt.timedelta(hours=1)),
    ).run()
    await _staff(client)
    for url in ("/staff", "/staff/jobs"):
        counts = dict(re.findall(r'data-count="(\w+)">\((\d+)\)', (await client.get(url)).text))
        assert counts["jobs"] == "1"  # the recent failure only: not the old one, not the ok run


async def test_job_history_reads_last_success_next_run_durations_and_failures(client):
    start = dt.datetime(2031, 1, 6, 3, 30, tzinfo=dt.UTC)
    await JobRun.insert(
        JobRun(key="reconcile:a", job="reconcile", slot=start, status="ok", started_at=start,
               finished_at=start + dt.timedelta(seconds=2.5), counts={"fixed": 1}),
        JobRun(key="reconcile:b", job="reconcile", slot=start + dt.timedelta(days=1), status="failed",
               started_at=start + dt.timedelta(days=1),
               finished_at=start + dt.timedelta(days=1, seconds=125), error="MeiliError: down"),
        JobRun(key="purge:a", job="purge", slot=start, status="ok", started_at=start,
               finished_at=start + dt.timedelta(seconds=1)),
    ).run()
    await _staff(client)
    page = (await client.get("/staff/jobs")).text
    # The failing job comes first and is marked; each job says its last success and next run.
    assert page.index('data-job="reconcile"') < page.index('data-job="purge"')
    reconcile = page[page.index('data-job="reconcile"'):page.index('data-job="purge"')]
    assert "Last run failed" in reconcile and "job-run--failed" in reconcile
    assert "06 Jan 2031, 03:30 UTC" in reconcile  # the last success (finished 03:30:02)
    assert "2.5 s" in reconcile and "2 min 5 s" in reconcile and "MeiliError: down" in reconcile
    assert re.search(r'data-fact="next-run">\d\d \w{3} \d{4}, 03:30 UTC<', reconcile)
    assert 'data-job="digest"' in page and "Has not run yet" in page
