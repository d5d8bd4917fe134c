"""Bulk import speed: the importer (batched multi-row INSERTs in one transaction) against a
baseline measured in the same run (one `save()` per row in one transaction), then a 20k-row
file end to end (read, validate, insert, outbox events).

    .venv/bin/python bench/bench_import.py [--quick] [--rows 20000] [--baseline-rows 1000]

Uses a fresh SQLite file in a temporary directory unless BENCH_DATABASE_URL names another
(empty, migratable) database."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PICCOLO_CONF", "board.piccolo_conf")

from bench.report import emit, row  # noqa: E402
from board.core.geo import city_centroids  # noqa: E402
from board.imports import services as importer  # noqa: E402
from board.imports.formats import read_rows  # noqa: E402
from board.listings import services as listings  # noqa: E402
from board.store import engine as db  # noqa: E402
from board.store.engine import write_transaction  # noqa: E402
from board.store.tables import ALL_TABLES, Institution, Opportunity  # noqa: E402
from tests.support.import_samples import csv_bytes, sample_rows  # noqa: E402


async def _fresh_institution() -> int:
    for table in reversed(ALL_TABLES):
        await table.delete(force=True).run()
    inst = Institution(name="Bench Hospital", state="TX", city="Houston", verified=True)
    await inst.save().run()
    return inst.id


async def _baseline(institution_id: int, cleaned: list[dict]) -> float:
    started = time.perf_counter()
    async with write_transaction():
        for clean in cleaned:
            row = Opportunity(institution=institution_id, status="draft",
                              **listings.row_values(clean))
            await row.save().run()
    return time.perf_counter() - started


async def main(rows: int, baseline_rows: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    db.configure(os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite'}")
    await db.open_store()
    await db.migrate()
    city_centroids()  # the geocoder's one-off load is not what is measured
    small = importer.validate_rows(sample_rows(baseline_rows))
    base = await _baseline(await _fresh_institution(), small)
    inst_id = await _fresh_institution()
    started = time.perf_counter()
    await importer.import_rows(inst_id, small, mode="draft")
    batched = time.perf_counter() - started
    print(f"{baseline_rows} rows: save() per row {base:.2f} s, batched insert {batched:.2f} s "
          f"-> {base / batched:.1f}x faster")

    inst_id = await _fresh_institution()
    data = csv_bytes(sample_rows(rows))
    t0 = time.perf_counter()
    parsed = read_rows("bench.csv", data)
    t1 = time.perf_counter()
    cleaned = importer.validate_rows(parsed)
    t2 = time.perf_counter()
    result = await importer.import_rows(inst_id, cleaned, mode="publish")
    t3 = time.perf_counter()
    per_row_base = base / baseline_rows
    print(f"{rows} rows ({len(data) / 1e6:.1f} MB): read {t1 - t0:.2f} s, validate {t2 - t1:.2f} s, "
          f"insert+outbox {t3 - t2:.2f} s, total {t3 - t0:.2f} s "
          f"({rows / (t3 - t0):,.0f} rows/s; save() per row would take ~{per_row_base * rows:.0f} s "
          f"for the inserts alone)")
    assert result.imported == rows
    await db.close_store()
    emit("import", [
        row(f"batched insert vs save() per row ({baseline_rows} rows)", baseline_rows / batched,
            "rows/s", base / batched, ">= 1 (speed-up)"),
        row(f"{rows}-row file end to end", rows / (t3 - t0), "rows/s", None)])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--baseline-rows", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="2k-row file, 300-row baseline")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.baseline_rows = 2_000, 300
    asyncio.run(main(args.rows, args.baseline_rows))
