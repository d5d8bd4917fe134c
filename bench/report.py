"""The line every benchmark prints last, read by bench/run_all.py to build one table:

    BENCH-JSON: {"name": "search", "rows": [{"target": "API vs raw Meilisearch",
                 "value": 812.4, "unit": "req/s", "ratio": 0.81, "goal": ">= 0.5"}]}

`ratio` compares us with the baseline measured in the same run (or a budget); `goal`
(optional) says which way is good. A module also takes `--quick` (smaller sizes, for
`make bench BENCH_ARGS=--quick`) where its full run is slow."""

from __future__ import annotations

import json
from typing import Any

PREFIX = "BENCH-JSON: "


def row(target: str, value: float, unit: str, ratio: float | None,
        goal: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"target": target, "value": round(float(value), 2), "unit": unit,
                           "ratio": None if ratio is None else round(float(ratio), 3)}
    if goal:
        out["goal"] = goal
    return out


def emit(name: str, rows: list[dict[str, Any]]) -> None:
    print(PREFIX + json.dumps({"name": name, "rows": rows}), flush=True)


def parse(line: str) -> dict[str, Any] | None:
    """The report in a BENCH-JSON line, or None for any other line."""
    if not line.startswith(PREFIX):
        return None
    return json.loads(line[len(PREFIX):])
