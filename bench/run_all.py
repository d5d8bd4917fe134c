"""Run every benchmark (bench/bench_*.py, found by glob) and print one table of ratios.

Each module runs in its own subprocess (`python -m bench.<module> [--quick]`, BENCH_QUICK=1
in its environment too), its output streamed as it goes; its last stdout line is the
BENCH-JSON report (bench/report.py) the table is built from. A module that fails or prints
no report gets a row saying so, and the exit status is 1.

    .venv/bin/python -m bench.run_all [--quick] [--only search memory ...]
    make bench                      (BENCH_ARGS=--quick for the quick version)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.report import parse

BENCH_DIR = Path(__file__).resolve().parent


def modules(only: list[str] | None = None) -> list[str]:
    names = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    if only:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in only}
        unknown = wanted - set(names)
        if unknown:
            raise SystemExit(f"error: no benchmark {', '.join(sorted(unknown))} "
                             f"(have: {', '.join(names)})")
        names = [n for n in names if n in wanted]
    return names


def run_one(module: str, quick: bool) -> tuple[dict[str, Any] | None, float, int]:
    """Stream the module's output; return (its report or None, seconds, exit status)."""
    args = [sys.executable, "-m", f"bench.{module}"] + (["--quick"] if quick else [])
    env = {**os.environ, **({"BENCH_QUICK": "1"} if quick else {})}
    started = time.perf_counter()
    last = ""
    with subprocess.Popen(args, cwd=BENCH_DIR.parent, env=env, stdout=subprocess.PIPE,
                          text=True) as proc:
        for line in proc.stdout:
            sys.stdout.write(f"  {line}")
            sys.stdout.flush()
            if line.strip():
                last = line.strip()
    try:
        report = parse(last)
    except ValueError:
        report = None
    return report, time.perf_counter() - started, proc.returncode


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def table(results: list[tuple[str, dict[str, Any] | None, float, int]]) -> str:
    header = ("bench", "target", "value", "unit", "ratio", "goal", "time")
    lines: list[tuple[str, ...]] = []
    for module, report, seconds, status in results:
        name = module.removeprefix("bench_")
        if report is None:
            lines.append((name, f"FAILED (exit {status}, no BENCH-JSON line)", "", "", "", "",
                          f"{seconds:.0f}s"))
            continue
        for i, row in enumerate(report.get("rows", [])):
            lines.append((report.get("name", name) if i == 0 else "", str(row.get("target", "")),
                          _fmt(row.get("value")), str(row.get("unit", "")), _fmt(row.get("ratio")),
                          str(row.get("goal", "")), f"{seconds:.0f}s" if i == 0 else ""))
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    right = {2, 4}
    out = []
    for r in [header, tuple("-" * w for w in widths), *lines]:
        out.append("  ".join(c.rjust(w) if i in right else c.ljust(w)
                             for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip())
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each benchmark's quick mode")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these benchmarks only")
    args = parser.parse_args()
    results = []
    for module in modules(args.only):
        print(f"== {module}" + (" (quick)" if args.quick else ""), flush=True)
        results.append((module, *run_one(module, args.quick)))
    print()
    print(table(results))
    if any(report is None or status != 0 for _, report, _, status in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
