"""Visitor corrections against real servers: structured reasons, three distinct reporters of
"closed or full" mark a listing "reported closed" (badge on card and page, the host mailed a
reconfirmation link at once) while one reporter repeating does not count twice, a scam report
tops the staff queue, grouped reports resolve in bulk, and hashes are purged after 90 days."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from board.listings import reconfirm
from board.listings import services as listings
from board.mail.transport import Mailer
from board.moderation import reports as listing_reports
from board.store.tables import Report
from jobs.purge import purge
from tests.support.factories import make_institution, make_listing
from tests.support.members import log_in_as, make_member, post_form
from tests.support.outbox import drain_all, wait_for_search

CLOSED = {"category": "closed_or_full", "reason": ""}


@pytest.fixture
def mailing(runtime, smtp, tmp_path):
    runtime.mailer = Mailer(smtp.url, tmp_path / "mail", runtime.settings.mail_from)
    return smtp


def _behind_a_proxy(client) -> None:
    # Reports are counted per client address: let the test client speak for several, through
    # a trusted proxy's X-Forwarded-For (the way production sees distinct visitors).
    served = client.app.state.runtime
    served.settings = dataclasses.replace(served.settings, trusted_proxies=("127.0.0.1",))


def test_reporter_hashes_are_salted_per_day_and_never_the_address():
    day = dt.date(2031, 1, 1)
    one = listing_reports.reporter_hash("key-a", "203.0.113.9", day)
    assert "203.0.113.9" not in one and len(one) == 64
    assert one == listing_reports.reporter_hash("key-a", "203.0.113.9", day)
    assert one != listing_reports.reporter_hash("key-b", "203.0.113.9", day)
    assert one != listing_reports.reporter_hash("key-a", "203.0.113.9", day.replace(day=2))


async def test_three_distinct_closed_reports_mark_the_listing_and_mail_the_host(
        runtime, mailing, client):
    inst = await make_institution()
    host = await make_member(inst)
    opp = await make_listing(inst, title="Possibly closed cardiology observership",
                             specialty="Dermatology")
    _behind_a_proxy(client)
    for _ in range(3):  # one reporter, three times: counts once
        resp = await post_form(client, f"/opportunities/{opp}/report", CLOSED,
                               headers={"x-forwarded-for": "198.51.100.1"})
        assert resp.status_code == 200
    assert await listing_reports.closed_reporters(opp, dt.datetime.now(dt.UTC)) == 1
    assert (await listings.get(opp))["reported_closed_at"] is None
    await post_form(client, f"/opportunities/{opp}/report", CLOSED,
                    headers={"x-forwarded-for": "198.51.100.2"})
    assert (await listings.get(opp))["reported_closed_at"] is None and not mailing.messages
    await post_form(client, f"/opportunities/{opp}/report", CLOSED,
                    headers={"x-forwarded-for": "198.51.100.3"})
    row = await listings.get(opp)
    assert row["reported_closed_at"] is not None
    [mail] = mailing.messages
    assert str(mail["To"]) == host["email"] and "closed" in mail["Subject"]
    assert "/reconfirm/" in mail.get_body(("plain",)).get_content()
    # No raw address is stored anywhere in the reports.
    for report in await Report.select().run():
        assert "198.51.100" not in str(report)
    page = await client.get(f"/opportunities/{opp}")
    assert "Reported closed by visitors" in page.text
    await drain_all(runtime.gateway)
    hits = await wait_for_search(client, lambda h: h and h[0].get("reported_closed_at"),
                                 specialty="Dermatology")
    search_page = await client.get("/", params={"specialty": "Dermatology"})
    assert "Reported closed by visitors" in search_page.text and hits[0]["id"] == opp
    # A fourth report: already marked, no second mail. The host's confirmation clears it.
    await post_form(client, f"/opportunities/{opp}/report", CLOSED,
                    headers={"x-forwarded-for": "198.51.100.4"})
    assert len(mailing.messages) == 1
    await reconfirm.confirm(opp)
    assert (await listings.get(opp))["reported_closed_at"] is None
    assert "Reported closed" not in (await client.get(f"/opportunities/{opp}")).text


async def test_a_category_is_required_and_other_needs_a_note(client):
    opp = await make_listing(await make_institution())
    page = await client.get(f"/opportunities/{opp}/report")
    assert 'value="visa_wrong"' in page.text and 'value="scam"' in page.text
    missing = await post_form(client, f"/opportunities/{opp}/report", {"reason": ""})
    assert missing.status_code == 400 and "Reason: choose what is wrong" in missing.text
    other = await post_form(client, f"/opportunities/{opp}/report", {"category": "other"})
    assert other.status_code == 400 and "Details:" in other.text
    ok = await post_form(client, f"/opportunities/{opp}/report", {"category": "cost_differs"})
    assert ok.status_code == 200
    assert [r["category"] for r in await Report.select(Report.category).run()] == ["cost_differs"]


async def test_scam_tops_the_staff_queue_and_reports_resolve_in_bulk(client):
    inst = await make_institution(name="Grouped Reports Hospital")
    quiet = await make_listing(inst, title="Often reported listing")
    scam = await make_listing(inst, title="Wire the fee listing")
    for n in range(3):
        await listing_reports.file_report(quiet, {"category": "cost_differs", "reason": "",
                                                  "email": ""}, reporter=f"h{n}")
    await listing_reports.file_report(scam, {"category": "scam", "reason": "Pay by wire",
                                             "email": ""}, reporter="h9")
    staff = await make_member(None, staff=True)
    await log_in_as(client, staff)
    page = (await client.get("/staff/reports")).text
    assert page.index("Wire the fee listing") < page.index("Often reported listing")
    assert "The cost differs from the listing: 3" in page and "Suspected scam: 1" in page
    assert "Suspected scams (1)" in (await client.get("/staff")).text

    done = await post_form(client, "/staff/reports/resolve",
                           {"opportunity": [str(quiet), str(scam)], "resolution": "checked",
                            "remove_listing": "true"})
    assert done.status_code == 200 and "4 report(s) of 2 listing(s) resolved" in done.text
    assert await Report.count().where(Report.status == "open").run() == 0
    assert (await listings.get(scam))["status"] == "removed"
    assert "No open reports" in (await client.get("/staff/reports")).text


async def test_purge_blanks_reporter_hashes_after_90_days(store):
    opp = await make_listing(await make_institution())
    now = dt.datetime.now(dt.UTC)
    for age, reporter in ((91, "old"), (10, "recent")):
        await listing_reports.file_report(opp, {"category": "visa_wrong", "reason": "",
                                                "email": ""}, reporter=reporter,
                                          now=now - dt.timedelta(days=age))
    counts = await purge(now)
    assert counts["report_hashes"] == 1
    hashes = sorted(r["reporter_hash"] for r in await Report.select(Report.reporter_hash).run())
    assert hashes == ["", "recent"]
    assert (await purge(now))["report_hashes"] == 0
