"""Reviews from participants only, against real servers: a review needs a recorded
completion (the host records it, the participant is mailed a signed link), counts once,
scores and rates appear only from 3 reviews (page, institution page, API hit and the
reviews endpoint), hosts reply, moderators hide with a reason the author sees, authors
withdraw, and a scanner's GET of the link changes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from board.mail.transport import Mailer
from board.reviews import queries, services
from board.store.tables import Completion, Review
from tests.support.factories import make_institution, make_listing
from tests.support.members import csrf_token, log_in_as, make_member, post_form
from tests.support.outbox import drain_all, wait_for_search

GOOD = {"overall": "5", "teaching": "4", "hands_on": "4", "organisation": "5", "letter": "yes",
        "costs_as_advertised": "yes", "body": "Great teaching <b>every</b> day.",
        "show_name": "no", "country": "Egypt"}


@pytest.fixture
def mailing(runtime, smtp, tmp_path):
    runtime.mailer = Mailer(smtp.url, tmp_path / "mail", runtime.settings.mail_from)
    return smtp


def _path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://\S+(/review/\S+)", text)
    assert match, text
    return match.group(1)


async def _record(client, opp: int, email: str) -> None:
    today = dt.date.today()
    resp = await post_form(client, "/dashboard/completions", {
        "opportunity_id": str(opp), "participant_email": email,
        "starts_on": (today - dt.timedelta(days=30)).isoformat(),
        "ends_on": (today - dt.timedelta(days=2)).isoformat()})
    assert resp.status_code == 200 and "was sent a link" in resp.text, resp.text[:300]


async def _review(client, path: str, **overrides: str):
    token = await csrf_token(client, path)
    return await client.post(path, data={"_csrf_token": token, "action": "submit",
                                         **GOOD, **overrides})


async def test_a_review_needs_a_completion_counts_once_and_scores_from_three(
        runtime, mailing, client):
    inst = await make_institution(name="Reviewed Teaching Hospital")
    host = await make_member(inst)
    opp = await make_listing(inst, title="Reviewed neurology observership", specialty="Neurology")
    await log_in_as(client, host)
    bad = await post_form(client, "/dashboard/completions", {
        "opportunity_id": str(opp), "participant_email": "nope", "starts_on": "2020-01-01",
        "ends_on": "2099-01-01"})
    assert bad.status_code == 400 and "Participant's email:" in bad.text
    assert "Last day: must not be in the future" in bad.text
    for n in range(3):
        await _record(client, opp, f"img{n}@example.org")
    paths = [_path(m) for m in mailing.messages]
    assert len(paths) == 3 and [str(m["To"]) for m in mailing.messages] == [
        f"img{n}@example.org" for n in range(3)]

    # A forged link (no completion behind it) cannot review.
    forged = services.token(runtime.settings, 987654)
    assert (await client.get(f"/review/{forged}")).status_code == 400

    # A scanner's GET changes nothing; the first submit counts, a second does not.
    page = await client.get(paths[0])
    assert page.status_code == 200 and "Publish my review" in page.text
    assert await Review.count().run() == 0
    assert (await _review(client, paths[0])).status_code == 200
    again = await _review(client, paths[0], overall="1")
    assert again.status_code == 409 and "already reviewed" in again.text
    assert await Review.count().run() == 1

    listing_page = (await client.get(f"/opportunities/{opp}")).text
    assert "an IMG from Egypt" in listing_page and "Scores appear from 3 reviews on" in listing_page
    assert "&lt;b&gt;every&lt;/b&gt;" in listing_page  # plain text, escaped
    api = (await client.get(f"/api/v1/opportunities/{opp}/reviews")).json()
    assert api["summary"] == {"count": 1, "rating": None, "letter_rate": None,
                              "costs_as_advertised_rate": None}

    assert (await _review(client, paths[1], overall="3", letter="no",
                          costs_as_advertised="no")).status_code == 200
    assert (await _review(client, paths[2], overall="4", letter="did_not_ask",
                          show_name="yes", name="Dr Amina K")).status_code == 200
    api = (await client.get(f"/api/v1/opportunities/{opp}/reviews")).json()
    assert api["summary"] == {"count": 3, "rating": 4.0, "letter_rate": 0.5,
                              "costs_as_advertised_rate": 0.67}
    assert [r["author"] for r in api["reviews"]][0] == "Dr Amina K"  # newest first
    page = (await client.get(f"/opportunities/{opp}")).text
    assert "4.0 of 5 (3 reviews)" in page and "1 of 2 who asked" in page and "2 of 3" in page
    inst_page = await client.get(f"/institutions/{inst}")
    assert inst_page.status_code == 200 and "Reviewed neurology observership" in inst_page.text
    assert "Rated 4.0 of 5 by 3 participants" in inst_page.text
    await drain_all(runtime.gateway)
    hits = await wait_for_search(client, lambda h: bool(h), specialty="Neurology")
    assert hits[0]["reviews"] == api["summary"]
    assert (await client.get(f"/institutions/{inst + 1000}")).status_code == 404


async def test_host_replies_moderator_hides_author_withdraws(runtime, mailing, client):
    inst = await make_institution()
    host = await make_member(inst)
    opp = await make_listing(inst, title="Reply and hide observership")
    await log_in_as(client, host)
    await _record(client, opp, "author@example.org")
    path = _path(mailing.messages[0])
    await _review(client, path, body="Costs were higher than listed.")
    review = (await Review.select().run())[0]

    done = await post_form(client, f"/dashboard/reviews/{review['id']}/reply",
                           {"reply": "We have since updated the fee."})
    assert done.status_code == 200
    assert "We have since updated the fee." in (await client.get(f"/opportunities/{opp}")).text
    stored = await Review.select().where(Review.id == review["id"]).first().run()
    assert stored["body"] == "Costs were higher than listed."  # the host cannot change it

    # A review text with a red flag waits for a moderator.
    await _record(client, opp, "flag@example.org")
    flagged = _path(mailing.messages[1])
    await _review(client, flagged, body="Pay at https://broker.example for a guaranteed letter")
    assert "waits for a moderator" in (await client.get(flagged)).text
    assert len(await queries.shown(opportunity_id=opp)) == 1

    staff = await make_member(None, staff=True)
    client.cookies.clear()
    await log_in_as(client, staff)
    assert (await client.get("/staff/reviews")).text.index("broker.example") < \
        (await client.get("/staff/reviews")).text.index("Costs were higher")
    await post_form(client, f"/staff/reviews/{review['id']}/hide",
                    {"reason": "Names a staff member"})
    author_view = await client.get(path)
    assert "A moderator hid your review. Reason: Names a staff member" in author_view.text
    assert "Costs were higher" not in (await client.get(f"/opportunities/{opp}")).text

    token = await csrf_token(client, path)
    withdrawn = await client.post(path, data={"_csrf_token": token, "action": "withdraw"})
    assert withdrawn.status_code == 200 and "withdrawn" in withdrawn.text
    assert (await Review.select(Review.status).where(Review.id == review["id"]).first().run()
            )["status"] == "withdrawn"
    assert await Completion.count().run() == 2


def test_the_summary_is_empty_below_three():
    row = {"overall": 5, "teaching": 5, "hands_on": 5, "organisation": 5, "letter": "yes",
           "costs_as_advertised": True}
    assert queries.public_summary([row, row]) == {
        "count": 2, "rating": None, "letter_rate": None, "costs_as_advertised_rate": None}
    assert queries.public_summary([row] * 3)["rating"] == 5.0
