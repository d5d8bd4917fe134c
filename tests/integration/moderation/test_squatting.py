"""Institution names cannot be squatted (issue 13): `board import` refuses an existing name
unless the operator names it by id or passes --existing; moderators ban an unverified
institution (members locked out, listings removed from search, name freed); the purge job
deletes unverified institutions nobody took up."""

from __future__ import annotations

import datetime as dt

from board.accounts import tokens
from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.store.tables import Institution, Member, Opportunity
from jobs import bodies
from tests.integration.imports.test_import_cli import board_import
from tests.support.factories import listing_data, make_institution, make_listing
from tests.support.import_samples import csv_bytes, sample_rows
from tests.support.members import login, make_member, post_form
from tests.support.outbox import wait_for_search

DAY = dt.timedelta(days=1)


async def test_import_refuses_an_existing_name_unless_named_by_id_or_existing(store, tmp_path):
    squat = await make_institution("Mayo Clinic Rochester", verified=False)
    path = tmp_path / "listings.csv"
    path.write_bytes(csv_bytes(sample_rows(3)))
    refused = await board_import(store, tmp_path, str(path), "--institution",
                                 "Mayo Clinic Rochester", "--publish")
    assert refused.returncode == 1
    assert f"already exists (id {squat}, NOT verified)" in refused.stderr
    assert f"--institution-id {squat}" in refused.stderr
    assert await Opportunity.count().run() == 0

    by_id = await board_import(store, tmp_path, str(path), "--institution-id", str(squat))
    assert by_id.returncode == 0, by_id.stderr
    assert f"institution {squat} 'Mayo Clinic Rochester': not verified" in by_id.stdout
    flagged = await board_import(store, tmp_path, str(path), "--institution",
                                 "Mayo Clinic Rochester", "--existing")
    assert flagged.returncode == 0, flagged.stderr
    assert await Opportunity.count().run() == 6
    unknown = await board_import(store, tmp_path, str(path), "--institution-id", "99999")
    assert unknown.returncode == 1 and "no such institution" in unknown.stderr
    both = await board_import(store, tmp_path, str(path), "--institution", "X",
                              "--institution-id", "3")
    assert both.returncode == 2 and "either --institution" in both.stderr


async def test_moderator_bans_an_unverified_institution(client):
    squat = await make_institution("Squatted General", verified=False)
    opp = await make_listing(squat, title="Zanzibar squatter observership")
    member = await make_member(squat, "squatter@example.org")
    _, token = await tokens.create(squat, None, "tests")
    await wait_for_search(client, lambda hits: opp in [h["id"] for h in hits], q="Zanzibar")
    verified = await make_institution("Real Verified", verified=True)

    await make_member(None, "mod@example.org", staff=True)
    await login(client, "mod@example.org")
    assert "Reject and ban" in (await client.get("/staff/institutions")).text
    done = await post_form(client, f"/staff/institutions/{squat}/ban")
    assert "Institution banned" in done.text and "1 listing(s) removed" in done.text
    refused = await post_form(client, f"/staff/institutions/{verified}/ban")
    assert "cannot be banned" in refused.text
    assert "Squatted General" not in (await client.get("/staff/institutions")).text
    await post_form(client, "/logout")

    assert (await listings.get(opp))["status"] == "removed"
    await wait_for_search(client, lambda hits: opp not in [h["id"] for h in hits], q="Zanzibar")
    assert (await client.get(f"/opportunities/{opp}")).status_code == 410
    denied = await login(client, member["email"], member["password"])
    assert not denied.history  # no redirect into the dashboard: the login form again
    api = await client.post("/api/v1/opportunities", json=listing_data(),
                            headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    # The name is free for the real institution.
    assert await Institution.count().where(Institution.name == "Squatted General").run() == 0


async def test_purge_deletes_unverified_institutions_nobody_took_up(store):
    now = utcnow()
    old = now - 31 * DAY
    abandoned = await make_institution("Abandoned Name", verified=False, created_at=old)
    await make_member(abandoned, "never-confirmed@example.org", verified=False)
    await Opportunity.insert(Opportunity(institution=abandoned, kind="research", title="Draft",
                                         specialty="Pathology")).run()
    confirmed = await make_institution("Has Confirmed Member", verified=False, created_at=old)
    await make_member(confirmed, "confirmed@example.org", verified=True)
    imported = await make_institution("Operator Import", verified=False, created_at=old)
    await make_listing(imported)
    recent = await make_institution("Just Signed Up", verified=False, created_at=now - DAY)
    verified = await make_institution("Verified Old", verified=True, created_at=old)

    counts = await bodies.purge(None, now)
    assert counts["abandoned_institutions"] == 1
    left = {r["id"] for r in await Institution.select(Institution.id).run()}
    assert left == {confirmed, imported, recent, verified}
    assert await Member.count().where(Member.email == "never-confirmed@example.org").run() == 0
    assert (await bodies.purge(None, now))["abandoned_institutions"] == 0
