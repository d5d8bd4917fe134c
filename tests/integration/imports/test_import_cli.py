"""`board import` as a user runs it: a real subprocess against the test store, then what the
store holds and what search shows."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from board.indexing import outbox
from board.store.tables import Institution, Opportunity, OutboxEvent
from tests.support.import_samples import csv_bytes, json_bytes, sample_rows

BOARD = [sys.executable, "-m", "board"]


def _run(store: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": store, "BOARD_VAR_DIR": str(tmp / "var")}
    return subprocess.run([*BOARD, "import", *args], env=env, capture_output=True, text=True,
                          timeout=180)


async def board_import(store: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    # In a thread: the event loop (and the test store's connections) stay usable meanwhile.
    return await asyncio.to_thread(_run, store, tmp, *args)


async def drain_all(runtime) -> None:
    for _ in range(50):
        result = await outbox.drain(runtime.gateway)
        if not result.skipped and await outbox.pending_count() == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the outbox did not drain")


async def test_csv_of_50_listings_is_published_and_searchable(store, runtime, client, tmp_path):
    path = tmp_path / "listings.csv"
    path.write_bytes(csv_bytes(sample_rows(50, marker="Zanzibar")))
    done = await board_import(store, tmp_path, str(path), "--institution", "Lakeside Medical Center",
                              "--state", "MN", "--city", "Rochester", "--publish")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "imported 50 listings (50 published)"
    inst = await Institution.select().where(Institution.name == "Lakeside Medical Center").first().run()
    assert (inst["state"], inst["city"], inst["verified"]) == ("MN", "Rochester", False)
    rows = await Opportunity.select().where(Opportunity.institution == inst["id"]).run()
    assert len(rows) == 50
    assert {r["status"] for r in rows} == {"published"}
    assert all(r["expires_at"] and r["published_at"] for r in rows)
    houston = next(r for r in rows if r["city"] == "Houston")
    assert houston["latitude"] is not None  # geocoded like a form-made listing
    assert await OutboxEvent.count().run() == 50

    await drain_all(runtime)
    resp = await client.get("/api/v1/opportunities", params={"q": "Zanzibar", "per_page": 50})
    assert resp.status_code == 200, resp.text
    assert resp.json()["total"] == 50


async def test_without_publish_rows_become_drafts_from_json(store, tmp_path):
    path = tmp_path / "listings.json"
    path.write_bytes(json_bytes(sample_rows(5)))
    done = await board_import(store, tmp_path, str(path), "--institution", "Json Clinic")
    assert done.returncode == 0, done.stderr
    said, summary = done.stdout.strip().splitlines()
    assert said.endswith("'Json Clinic': created, not verified") and said.startswith("institution ")
    assert summary == "imported 5 listings (0 published)"
    statuses = await Opportunity.select(Opportunity.status).run()
    assert [r["status"] for r in statuses] == ["draft"] * 5
    assert await OutboxEvent.count().run() == 0  # drafts are not searchable: nothing to send


async def test_two_bad_rows_reject_the_whole_file_and_name_each(store, tmp_path):
    rows = sample_rows(10)
    rows[3]["fee_usd"] = "free"
    rows[8]["specialty"] = "Astrology"
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows))
    done = await board_import(store, tmp_path, str(path), "--institution", "Never Created",
                              "--publish")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[0] == f"error: {path}: 2 of 10 rows are not valid; nothing was imported"
    assert lines[1] == "error: row 4, field fee_usd: must be a whole number"
    assert lines[2].startswith("error: row 9, field specialty: must be an ACGME specialty")
    assert len(lines) == 3
    assert done.stdout == ""
    assert await Opportunity.count().run() == 0
    assert await Institution.count().run() == 0  # not even the institution


async def test_unknown_column_is_named(store, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("title,kind,salary\nA good title,research,100\n")
    done = await board_import(store, tmp_path, str(path), "--institution", "X Clinic")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: {path}: unknown column 'salary': the columns are the field names of the API "
        "(title, kind, specialty, state, ...)"]
    assert await Institution.count().run() == 0


async def test_usage_errors_are_one_line_with_exit_2(store, tmp_path):
    good = tmp_path / "ok.csv"
    good.write_bytes(csv_bytes(sample_rows(1)))
    cases = [
        ((str(tmp_path / "missing.csv"), "--institution", "X"), "no such file"),
        ((str(tmp_path), "--institution", "X"), "is a directory"),
        ((str(good),), "give either --institution NAME or --institution-id N"),
        ((str(good), "--institution", "X", "--colour", "red"), "No such option"),
        ((str(good), "--institution", "X", "--state", "XX"), "--state 'XX' is not a USPS"),
        ((str(good), "--institution", "   "), "--institution must be a name"),
    ]
    for args, message in cases:
        done = await board_import(store, tmp_path, *args)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2, (args, done.stderr)
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert await Opportunity.count().run() == 0
