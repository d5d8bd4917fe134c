"""What an IMG account holds, through the real app and store: the anonymous planner's
shortlist, profile cookie and planner-owned rows merge into the account on sign-in; /me
links the address's digest subscriptions; export has every row; delete removes every row
of the account (checked in the store), the address's subscriptions included."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from piccolo.columns import ForeignKey, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from board.browse import profile as saved_profile
from board.digests import subscriptions
from board.planner import shortlist, signin
from board.planner.identity import PLANNER_TABLES
from board.planner.tables import Planner, ShortlistItem
from board.store import engine as db
from board.store.tables import DigestDelivery, Subscriber
from tests.support.factories import make_institution, make_listing
from tests.support.members import post_form


class PlanNote(Table, tablename="test_plan_note"):
    """Stands for a planner-owned table of another module (the tracker's)."""

    planner = ForeignKey(references=Planner, on_delete=OnDelete.cascade)
    topic = Varchar(length=40)
    body = Text(default="")
    planner_dedupe = ("topic",)


@pytest.fixture
async def plan_notes(store):
    PlanNote._meta.db = db.current_engine()
    await PlanNote.create_table(if_not_exists=True).run()
    await PlanNote.delete(force=True).run()
    PLANNER_TABLES.append(PlanNote)
    yield PlanNote
    PLANNER_TABLES.remove(PlanNote)
    await PlanNote.alter().drop_table(if_exists=True).run()


async def _sign_in(client, settings, email: str):
    token = signin.make_token(email, settings.signing_keys)
    page = await post_form(client, f"/signin/{token}")
    assert page.status_code == 200 and page.url.path == "/me", page.text[:300]
    return await Planner.objects().where(Planner.email == email).first().run()


async def _subscribe(email: str, settings, state: str, confirmed: bool = True) -> int:
    outcome = await subscriptions.subscribe(email, {"state": [state]}, settings.signing_keys)
    if confirmed:
        await subscriptions.confirm({"id": outcome.subscriber_id})
    return outcome.subscriber_id


async def test_sign_in_merges_the_anonymous_planner(client, settings, plan_notes):
    inst = await make_institution()
    a, b, c = [await make_listing(inst, title=f"{t} rotation") for t in ("Alpha", "Beta", "Gamma")]
    # The account already exists (another device) with Beta and Gamma saved and a note.
    account = await signin.account_for("ima@example.org", now=dt.datetime.now(dt.UTC))
    await shortlist.add(account.id, b)
    await shortlist.add(account.id, c)
    await PlanNote.insert(PlanNote(planner=account.id, topic="visa", body="account's")).run()

    # Anonymous in this browser: saves Alpha and Beta, has a profile cookie and two notes.
    for opp in (a, b):
        saved = await post_form(client, f"/shortlist/{opp}", {"next": "/shortlist"})
        assert saved.status_code == 200 and saved.url.path == "/shortlist"
    anonymous = await Planner.objects().where(Planner.email.is_null()).first().run()
    assert await shortlist.shortlist_ids(anonymous.id) == [b, a]
    await PlanNote.insert(PlanNote(planner=anonymous.id, topic="visa", body="dup"),
                          PlanNote(planner=anonymous.id, topic="steps", body="moved")).run()
    profile = {"graduation_year": ["2019"], "visa": ["b1b2"]}
    client.cookies.set(saved_profile.COOKIE, saved_profile.encode(profile))

    merged = await _sign_in(client, settings, "ima@example.org")
    assert merged.id == account.id
    assert sorted(await shortlist.shortlist_ids(account.id)) == sorted([a, b, c])
    assert await ShortlistItem.count().run() == 3  # Beta once
    notes = await PlanNote.select(PlanNote.topic, PlanNote.body).where(
        PlanNote.planner == account.id).order_by(PlanNote.topic).run()
    assert notes == [{"topic": "steps", "body": "moved"}, {"topic": "visa", "body": "account's"}]
    assert await Planner.count().run() == 1  # the anonymous planner is gone
    assert json.loads(merged.profile) == profile
    page = await client.get("/shortlist")
    assert all(f"{t} rotation" in page.text for t in ("Alpha", "Beta", "Gamma"))
    assert 'id="shortlist-count"> (3)<' in page.text

    # Signed in, changing the profile on the search page updates the account too.
    await client.get("/?graduation_year=2021&visa=j1")
    stored = await Planner.select(Planner.profile).where(Planner.id == account.id).first().run()
    assert json.loads(stored["profile"]) == {"graduation_year": ["2021"], "visa": ["j1"]}

    # Another device signing in gets the account's profile as its cookie.
    client.cookies.clear()
    await _sign_in(client, settings, "ima@example.org")
    assert saved_profile.decode(client.cookies.get(saved_profile.COOKIE)) == {
        "graduation_year": ["2021"], "visa": ["j1"]}


async def test_clearing_the_profile_on_the_search_page_clears_the_accounts(client, settings):
    account = await _sign_in(client, settings, "clear@example.org")
    await client.get("/?graduation_year=2020&visa=h1b")
    stored = await Planner.select(Planner.profile).where(Planner.id == account.id).first().run()
    assert json.loads(stored["profile"]) == {"graduation_year": ["2020"], "visa": ["h1b"]}

    cleared = await client.get("/?state=TX&profile=clear")
    assert cleared.status_code == 200 and cleared.url.query == b"state=TX"
    assert client.cookies.get(saved_profile.COOKIE) is None
    stored = await Planner.select(Planner.profile).where(Planner.id == account.id).first().run()
    assert stored["profile"] is None
    # Another device signing in gets no profile back.
    client.cookies.clear()
    await _sign_in(client, settings, "clear@example.org")
    assert client.cookies.get(saved_profile.COOKIE) is None
    assert 'name="graduation_year" value="2020"' not in (await client.get("/")).text


async def test_me_export_and_delete_cover_every_row(client, settings, plan_notes):
    inst = await make_institution()
    opp = await make_listing(inst, title="Cardiology observership")
    mine = await _subscribe("del@example.org", settings, "TX")
    pending = await _subscribe("del@example.org", settings, "NY", confirmed=False)
    other = await _subscribe("someone@example.org", settings, "TX")
    await DigestDelivery.insert(DigestDelivery(key=f"{mine}:2026-W48", subscriber=mine,
                                               period="2026-W48")).run()
    planner = await _sign_in(client, settings, "del@example.org")
    await post_form(client, f"/shortlist/{opp}")
    await PlanNote.insert(PlanNote(planner=planner.id, topic="call", body="Dr Z")).run()

    me = await client.get("/me")
    assert me.text.count('href="/manage/') == 2 and "Texas" in me.text
    assert "waiting for confirmation" in me.text
    assert await Subscriber.count().run() == 3  # linked, not copied

    export = await client.get("/me/export.json")
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    data = export.json()
    assert data["planner"]["email"] == "del@example.org"
    assert [row["opportunity"] for row in data["shortlist"]] == [opp]
    assert sorted(s["id"] for s in data["subscriptions"]) == sorted([mine, pending])
    assert data["test_plan_note"][0]["body"] == "Dr Z"

    assert 'name="confirm" value="yes" required' in me.text  # the browser asks first
    gone = await post_form(client, "/me/delete", {"confirm": "yes"})
    assert gone.status_code == 200 and gone.url.path == "/"
    assert await Planner.count().run() == 0
    assert await ShortlistItem.count().run() == 0
    assert await PlanNote.count().run() == 0
    assert [r["id"] for r in await Subscriber.select(Subscriber.id).run()] == [other]
    assert await DigestDelivery.count().run() == 0
    assert (await client.get("/me", follow_redirects=False)).status_code == 303
    assert (await client.get("/me/export.json", follow_redirects=False)).status_code == 303
