"""`make bench` (bench/run_all.py): every bench module is found, takes --quick and ends with
a BENCH-JSON report; the table is built from those reports and a missing one is a failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench import run_all
from bench.report import emit, parse, row

ROOT = Path(__file__).resolve().parents[3]


def test_every_bench_module_is_run_and_follows_the_convention():
    names = run_all.modules()
    assert {"bench_search", "bench_memory", "bench_load"} <= set(names)
    for name in names:
        source = (ROOT / "bench" / f"{name}.py").read_text()
        assert "--quick" in source and "emit(" in source, name


def test_a_report_line_round_trips(capsys):
    emit("search", [row("JSON API vs raw", 812.44, "req/s", 0.8123, ">= 0.6")])
    line = capsys.readouterr().out.strip()
    assert parse(line) == {"name": "search", "rows": [
        {"target": "JSON API vs raw", "value": 812.44, "unit": "req/s", "ratio": 0.812,
         "goal": ">= 0.6"}]}
    assert parse("ratio 0.8") is None


def test_the_table_has_a_row_per_target_and_names_failures():
    ok = {"name": "memory", "rows": [row("rss after traffic", 98.9, "MB", 0.82, "<= 1"),
                                     row("searchable", 300, "listings", 1.0)]}
    text = run_all.table([("bench_memory", ok, 12.0, 0), ("bench_broken", None, 3.0, 2)])
    lines = text.splitlines()
    assert lines[0].split() == ["bench", "target", "value", "unit", "ratio", "goal", "time"]
    assert "rss after traffic" in lines[2] and "0.82" in lines[2] and "12s" in lines[2]
    assert "searchable" in lines[3] and "300" in lines[3]
    assert "broken" in lines[4] and "FAILED (exit 2" in lines[4]


def test_an_unknown_benchmark_is_refused():
    out = subprocess.run([sys.executable, "-m", "bench.run_all", "--only", "nope"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode != 0 and "no benchmark bench_nope" in out.stderr
