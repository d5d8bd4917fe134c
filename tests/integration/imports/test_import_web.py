"""The dashboard upload (/dashboard/import) through the real app: multipart form with CSRF,
the row-level report for a bad file, the success message for a good one."""

from __future__ import annotations

import re

from board.store.tables import Opportunity
from tests.support.factories import make_institution
from tests.support.import_samples import csv_bytes, json_bytes, sample_rows
from tests.support.members import csrf_token, log_in_as, make_member, post_form


async def test_upload_needs_a_logged_in_member(client):
    resp = await client.get("/dashboard/import", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")


async def test_upload_without_csrf_token_is_refused(client):
    inst = await make_institution()
    await log_in_as(client, await make_member(inst))
    resp = await client.post("/dashboard/import",
                             files={"file": ("a.csv", csv_bytes(sample_rows(2)), "text/csv")})
    assert resp.status_code == 403
    assert await Opportunity.count().run() == 0


async def test_good_csv_is_imported_and_submitted(client):
    inst = await make_institution("Upload General", verified=True)
    await log_in_as(client, await make_member(inst))
    page = await client.get("/dashboard/import")
    assert page.status_code == 200
    assert "your institution is verified" in page.text
    rows = sample_rows(12)
    rows[5]["fee_usd"] = "8000"  # a red flag: this one waits for a moderator
    resp = await post_form(client, "/dashboard/import",
                           files={"file": ("listings.csv", csv_bytes(rows), "text/csv")})
    assert resp.status_code == 200 and resp.url.path == "/dashboard/import"
    assert "Imported 12 listings from listings.csv: 11 published, 1 waiting for review" in resp.text
    statuses = [r["status"] for r in await Opportunity.select(Opportunity.status).where(
        Opportunity.institution == inst).order_by(Opportunity.id).run()]
    assert statuses.count("published") == 11 and statuses[5] == "pending"


async def test_unverified_institution_imports_json_into_the_review_queue(client):
    inst = await make_institution("Upload Clinic", verified=False)
    await log_in_as(client, await make_member(inst))
    assert "not verified yet" in (await client.get("/dashboard/import")).text
    resp = await post_form(client, "/dashboard/import",
                           files={"file": ("listings.json", json_bytes(sample_rows(3)),
                                           "application/json")})
    assert "3 listings from listings.json: 0 published, 3 waiting" in resp.text
    assert await Opportunity.count().where(Opportunity.status == "pending").run() == 3


async def test_bad_rows_are_listed_and_nothing_is_written(client):
    inst = await make_institution()
    await log_in_as(client, await make_member(inst))
    rows = sample_rows(6)
    rows[1]["duration_weeks"] = "500"
    rows[4]["state"] = "ZZ"
    resp = await post_form(client, "/dashboard/import",
                           files={"file": ("bad.csv", csv_bytes(rows), "text/csv")})
    assert resp.status_code == 400
    assert "Nothing was imported" in resp.text and "2 of 6 rows" in resp.text
    cells = re.findall(r'<tr><td class="num" data-label="Row">(\d+)</td>'
                       r'<td data-label="Column"><code>(\w+)</code></td>'
                       r'<td data-label="Value"><code>([^<]*)</code></td>'
                       r'<td data-label="Problem">([^<]+)</td>', resp.text)
    assert cells == [("2", "duration_weeks", "500", "must be between 1 and 104"),
                     ("5", "state", "ZZ", "must be a USPS state or territory code such as NY")]
    assert await Opportunity.count().run() == 0


async def test_unknown_column_and_missing_file_are_field_errors(client):
    inst = await make_institution()
    await log_in_as(client, await make_member(inst))
    resp = await post_form(client, "/dashboard/import",
                           files={"file": ("odd.csv", b"title,colour\nx,red\n", "text/csv")})
    assert resp.status_code == 400
    assert "unknown column &#39;colour&#39;" in resp.text
    assert 'aria-describedby="import-file-hint import-file-error"' in resp.text
    token = await csrf_token(client)
    resp = await client.post("/dashboard/import", data={"_csrf_token": token},
                             files={"other": ("x.txt", b"", "text/plain")})
    assert resp.status_code == 400 and "choose a CSV or JSON file" in resp.text
    assert await Opportunity.count().run() == 0


async def test_a_file_over_the_web_row_limit_points_to_the_cli(client, monkeypatch):
    from board.imports import services

    monkeypatch.setattr(services, "WEB_MAX_ROWS", 4)
    inst = await make_institution()
    await log_in_as(client, await make_member(inst))
    resp = await post_form(client, "/dashboard/import",
                           files={"file": ("big.csv", csv_bytes(sample_rows(5)), "text/csv")})
    assert resp.status_code == 400
    assert "more than 4 rows" in resp.text and "board import FILE" in resp.text
    assert await Opportunity.count().run() == 0


async def test_web_uploads_are_read_and_validated_off_the_event_loop(monkeypatch):
    import threading

    from board.imports import services

    threads: list[threading.Thread] = []
    original = services.validate_rows

    def spy(rows, today=None):
        threads.append(threading.current_thread())
        return original(rows, today)

    monkeypatch.setattr(services, "validate_rows", spy)
    cleaned = await services.read_upload("a.csv", csv_bytes(sample_rows(2)))
    assert len(cleaned) == 2 and threads and threads[0] is not threading.main_thread()
