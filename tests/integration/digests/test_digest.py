"""The weekly digest against real Meilisearch, the real store and a real aiosmtpd server."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re

import pytest

from board.digests import subscriptions
from board.digests.emails import period_of
from board.digests.tasks import run_digest
from board.indexing import outbox
from board.store.tables import DigestDelivery, Subscriber
from tests.support.factories import make_institution, make_listing
from tests.support.mail import text_of

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


async def subscriber(email: str, filters: dict, confirmed: dt.datetime | None = NOW - dt.timedelta(days=3),
                     **state) -> dict:
    out = await subscriptions.subscribe(email, filters, "k")
    if confirmed:
        await Subscriber.update({Subscriber.confirmed_at: confirmed}).where(
            Subscriber.id == out.subscriber_id).run()
    if state:
        await Subscriber.update({getattr(Subscriber, k): v for k, v in state.items()}).where(
            Subscriber.id == out.subscriber_id).run()
    return await Subscriber.select().where(Subscriber.id == out.subscriber_id).first().run()


async def publish(rt, inst: int, title: str, ago_days: float, **kw) -> int:
    opp = await make_listing(inst, now=NOW - dt.timedelta(days=ago_days), title=title, **kw)
    await outbox.drain(rt.gateway)
    return opp


async def test_digest_holds_exactly_the_matching_listings_and_a_rerun_sends_nothing(rt, smtp):
    inst = await make_institution("Mount Sinai Test")
    sub = await subscriber("ny@example.com", {"state": ["NY"]})
    await publish(rt, inst, "New York Cardiology Observership", 1, state="NY", city="New York")
    await publish(rt, inst, "Bronx Research Fellowship", 2, state="NY", city="Bronx",
                  kind="research", fee_usd=500)
    await publish(rt, inst, "Houston Surgery Externship", 1, state="TX", city="Houston")
    await publish(rt, inst, "Albany Old Observership", 10, state="NY", city="Albany")
    deadline = (NOW + dt.timedelta(days=5)).date().isoformat()
    await publish(rt, inst, "Buffalo Closing Clerkship", 20, state="NY", city="Buffalo",
                  application_deadline=deadline)

    first = await run_digest(rt, NOW)
    assert first == {"sent": 1, "skipped": 0, "failed": 0, "unknown": 0}
    [msg] = smtp.to("ny@example.com")
    text = text_of(msg)
    new_part, closing_part = text.split("CLOSING SOON")
    assert "New York Cardiology Observership" in new_part and "Bronx Research Fellowship" in new_part
    # Newest first.
    assert new_part.index("New York Cardiology") < new_part.index("Bronx Research")
    assert "Houston" not in text and "Albany Old" not in text
    assert "Buffalo Closing Clerkship" in closing_part and "Buffalo" not in new_part
    assert "Fee: $500" in new_part and "Fee: Free" in new_part
    assert "http://testserver.local/opportunities/" in new_part
    assert msg["Subject"].startswith("2 new listings")

    second = await run_digest(rt, NOW + dt.timedelta(hours=1))
    assert second["sent"] == 0 and second["skipped"] == 1
    assert len(smtp.to("ny@example.com")) == 1
    row = await DigestDelivery.select().where(DigestDelivery.subscriber == sub["id"]).first().run()
    assert row["status"] == "sent" and row["listing_count"] == 2 and row["period"] == period_of(NOW)


async def test_message_parts_and_rfc8058_headers(rt, smtp):
    rt.settings = dataclasses.replace(rt.settings, unsubscribe_mailto="unsubscribe@testserver.local")
    inst = await make_institution()
    sub = await subscriber("parts@example.com", {})
    await publish(rt, inst, "Pediatrics Observership Somewhere", 1)
    await run_digest(rt, NOW)
    [msg] = smtp.to("parts@example.com")
    assert msg.is_multipart() and msg.get_content_type() == "multipart/alternative"
    html = msg.get_body(("html",)).get_content()
    assert "Pediatrics Observership Somewhere" in text_of(msg) and "Pediatrics Observership" in html
    assert "<style" not in html and 'style="' in html  # CSS inlined
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = [p.strip() for p in msg["List-Unsubscribe"].split(",")]
    assert https.startswith("<http://testserver.local/unsubscribe/") and https.endswith(">")
    assert mailto == "<mailto:unsubscribe@testserver.local?subject=unsubscribe>"
    token = https[1:-1].rsplit("/", 1)[1]
    owner, can_manage = await subscriptions.unsubscribe_target(token, rt.settings.secret_key)
    assert owner["id"] == sub["id"] and owner["email"] == "parts@example.com"
    # Before: List-Unsubscribe carried the year-long manage token; now it can only unsubscribe.
    assert can_manage is False
    with pytest.raises(subscriptions.BadLink):
        await subscriptions.subscriber_for(token, "manage", rt.settings.secret_key)
    manage = re.search(r"/manage/([\w.-]+)", html).group(1)
    assert (await subscriptions.subscriber_for(manage, "manage", rt.settings.secret_key))["id"] == sub["id"]
    assert msg["Message-ID"] == f"<digest.{sub['id']}.{period_of(NOW)}@testserver.local>"
    assert msg["List-Id"] == "IMG Opportunity Board weekly digest <digest.testserver.local>"
    assert msg["Date"].datetime == NOW
    assert f"/unsubscribe/{token}" in html and manage != token


async def test_unconfirmed_unsubscribed_paused_and_quiet_subscribers_get_nothing(rt, smtp):
    inst = await make_institution()
    await subscriber("unconfirmed@example.com", {}, confirmed=None)
    await subscriber("gone@example.com", {}, unsubscribed_at=NOW - dt.timedelta(days=1))
    await subscriber("paused@example.com", {}, paused=True)
    await subscriber("quiet@example.com", {"state": ["AK"]})
    await subscriber("active@example.com", {})
    await publish(rt, inst, "Family Medicine Observership", 1)
    counts = await run_digest(rt, NOW)
    assert counts["sent"] == 1 and counts["skipped"] == 1
    assert [str(m["To"]) for m in smtp.messages] == ["active@example.com"]


async def test_drop_after_data_and_4xx_then_rerun_gives_everyone_at_most_one_mail(rt, smtp):
    rt.mailer.retry_delays = ()  # leave the 4xx for the next run of the week
    inst = await make_institution()
    subs = {e: await subscriber(e, {}) for e in ("drop@example.com", "busy@example.com",
                                                 "fine@example.com")}
    await publish(rt, inst, "Neurology Research Position", 1, kind="research")
    smtp.faults.update({"drop@example.com": "drop-after-data",
                        "busy@example.com": "421 4.7.0 try again later"})
    first = await run_digest(rt, NOW)
    assert first == {"sent": 1, "skipped": 0, "failed": 1, "unknown": 1}
    second = await run_digest(rt, NOW + dt.timedelta(minutes=10))
    assert second == {"sent": 1, "skipped": 2, "failed": 0, "unknown": 0}
    for email in subs:
        assert len(smtp.to(email)) == 1, email
    statuses = {r["subscriber"]: r["status"] for r in await DigestDelivery.select().run()}
    assert statuses == {subs["drop@example.com"]["id"]: "unknown",
                        subs["busy@example.com"]["id"]: "sent", subs["fine@example.com"]["id"]: "sent"}
    third = await run_digest(rt, NOW + dt.timedelta(minutes=20))
    assert third["sent"] == 0 and len(smtp.messages) == 3


async def test_4xx_is_retried_within_the_run(rt, smtp):
    inst = await make_institution()
    await subscriber("later@example.com", {})
    await publish(rt, inst, "Psychiatry Observership", 1)
    smtp.faults["later@example.com"] = "451 4.3.0 temporary"
    assert (await run_digest(rt, NOW))["sent"] == 1
    assert len(smtp.to("later@example.com")) == 1


async def test_hard_bounce_fails_and_suppresses_without_stopping_the_run(rt, smtp):
    inst = await make_institution()
    bad = await subscriber("nobody@example.com", {})
    await subscriber("somebody@example.com", {})
    await publish(rt, inst, "Dermatology Observership", 1)
    smtp.faults["nobody@example.com"] = "550 5.1.1 no such user"
    counts = await run_digest(rt, NOW)
    assert counts == {"sent": 1, "skipped": 0, "failed": 1, "unknown": 0}
    row = await Subscriber.select().where(Subscriber.id == bad["id"]).first().run()
    assert row["suppressed"] is True
    assert (await run_digest(rt, NOW))["failed"] == 0
    assert len(smtp.to("nobody@example.com")) == 0 and len(smtp.to("somebody@example.com")) == 1


async def test_next_week_starts_after_the_last_digest(rt, smtp):
    inst = await make_institution()
    await subscriber("weekly@example.com", {})
    await publish(rt, inst, "Week One Observership", 1)
    await run_digest(rt, NOW)
    later = NOW + dt.timedelta(days=7)
    assert (await run_digest(rt, later))["sent"] == 0  # nothing new: no mail that week
    opp = await make_listing(inst, now=NOW + dt.timedelta(days=8), title="Week Two Observership")
    await outbox.drain(rt.gateway)
    assert opp
    assert (await run_digest(rt, NOW + dt.timedelta(days=14)))["sent"] == 1
    last = smtp.to("weekly@example.com")[-1]
    assert "Week Two Observership" in text_of(last) and "Week One" not in text_of(last)


class _CrashAfter:
    """The real chunk sender, but the run dies (a shutdown's cancel) after `n` messages."""

    def __init__(self, real, n: int):
        self.real, self.n = real, n

    async def __aenter__(self):
        self.sender = await self.real.__aenter__()
        return self

    async def __aexit__(self, *exc):
        return await self.real.__aexit__(*exc)

    async def send(self, to, data):
        if self.n == 0:
            raise asyncio.CancelledError
        self.n -= 1
        return await self.sender.send(to, data)


async def _stopped_after_one_mail(rt, monkeypatch) -> None:
    """A digest run that is cancelled once its first mail went out."""
    real_chunk = rt.mailer.chunk
    monkeypatch.setattr(rt.mailer, "chunk", lambda: _CrashAfter(real_chunk(), 1))
    with pytest.raises(asyncio.CancelledError):
        await run_digest(rt, NOW)
    monkeypatch.undo()


async def test_a_crashed_run_still_advances_what_it_delivered(rt, smtp, monkeypatch):
    # Before: last_digest_at moved only after a whole chunk was recorded; a run that died
    # mid-chunk left it behind, and next week's digest repeated the same listings.
    inst = await make_institution()
    first = await subscriber("first@example.com", {})
    second = await subscriber("second@example.com", {})
    await publish(rt, inst, "Cardiology Observership Crashville", 1)
    await _stopped_after_one_mail(rt, monkeypatch)
    delivered = await Subscriber.select().where(Subscriber.id == first["id"]).first().run()
    assert len(smtp.to("first@example.com")) == 1 and not smtp.to("second@example.com")
    assert delivered["last_digest_at"] == NOW
    row = await DigestDelivery.select().where(DigestDelivery.subscriber == first["id"]).first().run()
    assert row["status"] == "sent"
    untouched = await Subscriber.select().where(Subscriber.id == second["id"]).first().run()
    assert untouched["last_digest_at"] is None
    # Next week: nothing new for the first subscriber, so no repeat of last week's listing.
    later = await run_digest(rt, NOW + dt.timedelta(days=7))
    assert len(smtp.to("first@example.com")) == 1 and later["sent"] == 1


async def test_a_stopped_run_gives_back_what_it_never_started(rt, smtp, monkeypatch):
    # The messages of the chunk that a stop (cancel) never started go back to "retry", so a
    # rerun this week sends them; the one in flight at the stop may have gone out: never resent.
    inst = await make_institution()
    subs = [await subscriber(f"stop{i}@example.com", {}) for i in range(4)]
    await publish(rt, inst, "Cardiology Observership Stopville", 1)
    await _stopped_after_one_mail(rt, monkeypatch)
    statuses = {r["subscriber"]: r["status"] for r in await DigestDelivery.select().run()}
    assert [statuses[s["id"]] for s in subs] == ["sent", "claimed", "retry", "retry"]
    again = await run_digest(rt, NOW)
    assert again["sent"] == 2
    assert [len(smtp.to(f"stop{i}@example.com")) for i in range(4)] == [1, 0, 1, 1]
    assert (await run_digest(rt, NOW))["sent"] == 0


def _readable(msg) -> tuple:
    """A digest message minus what differs between two runs of the same week: the MIME
    boundary (random per content) and the link tokens' expiry (signed at the run's clock)."""
    def strip(text: str) -> str:
        return re.sub(r"/(manage|unsubscribe)/[\w.-]+", r"/\1/TOKEN", text)

    headers = tuple((k, strip(str(v))) for k, v in msg.items() if k != "Content-Type")
    return headers, strip(text_of(msg)), strip(msg.get_body(("html",)).get_content())


async def test_a_big_run_builds_in_a_worker_process_and_sends_the_same_mails(rt, smtp, monkeypatch):
    # Big runs build their messages in a forked worker process (board.digests.builder);
    # the mails must be the ones the in-process build makes.
    from board.digests import builder

    inst = await make_institution()
    for i in range(35):  # more than MAX_NEW for the NY subscribers: "and N more"
        await publish(rt, inst, f"Empire Observership {i}", 1 + i / 100, state="NY")
    await publish(rt, inst, "Lone Star Externship", 2, state="TX")
    subs = [await subscriber("ny1@example.com", {"state": ["NY"]}),
            await subscriber("ny2@example.com", {"state": ["NY"]},
                             confirmed=NOW - dt.timedelta(days=1, hours=4, minutes=48)),
            await subscriber("tx@example.com", {"state": ["TX"]}),
            await subscriber("all@example.com", {})]
    assert (await run_digest(rt, NOW))["sent"] == 4
    in_loop = {s["email"]: _readable(smtp.to(s["email"])[0]) for s in subs}
    assert "Empire Observership 0" in in_loop["ny1@example.com"][1]
    assert "Empire Observership 0" not in in_loop["tx@example.com"][1]
    # ny2 started later: fewer listings, a content of its own (the first 30 of 35 for ny1).
    assert "Empire Observership 25" in in_loop["ny1@example.com"][1]
    assert "Empire Observership 25" not in in_loop["ny2@example.com"][1]
    assert "Empire Observership 19" in in_loop["ny2@example.com"][1]

    submitted = []

    class Pool(builder.ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            submitted.append(fn)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(builder, "PROCESS_FROM", 1)
    monkeypatch.setattr(builder, "ProcessPoolExecutor", Pool)
    await DigestDelivery.delete(force=True).run()
    await Subscriber.update({Subscriber.last_digest_at: None}, force=True).run()
    assert (await run_digest(rt, NOW))["sent"] == 4
    assert submitted and set(submitted) == {builder.build}
    for s in subs:
        first, again = smtp.to(s["email"])
        assert _readable(again) == in_loop[s["email"]]
    # The worker's links are live: its unsubscribe token names the subscriber.
    token = smtp.to("tx@example.com")[1]["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
    owner, _ = await subscriptions.unsubscribe_target(token, rt.settings.secret_key)
    assert owner["id"] == subs[2]["id"]
