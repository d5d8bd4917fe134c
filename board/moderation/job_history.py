"""The staff job page in words a moderator reads: per job its last success, its next run,
how long recent runs took, and the failures set apart. The schedule (next run per job) comes
from the jobs package through the app state, as board never imports jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from board.store.tables import JobRun


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def duration_label(started: dt.datetime | None, finished: dt.datetime | None) -> str:
    """"1.4 s", "2 min 5 s", or "still running"."""
    started, finished = _utc(started), _utc(finished)
    if started is None or finished is None:
        return "still running"
    seconds = max(0.0, (finished - started).total_seconds())
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def when_label(value: dt.datetime | None) -> str:
    value = _utc(value)
    return value.strftime("%d %b %Y, %H:%M UTC") if value else "never"


async def last_successes() -> dict[str, dt.datetime]:
    rows = await JobRun.select(JobRun.job, JobRun.finished_at).where(
        JobRun.status == "ok").order_by(JobRun.finished_at, ascending=False).limit(2000).run()
    out: dict[str, dt.datetime] = {}
    for r in rows:
        out.setdefault(r["job"], r["finished_at"])
    return out


def summarise(runs: dict[str, list[dict[str, Any]]], schedule: dict[str, dict[str, Any]],
              successes: dict[str, dt.datetime]) -> list[dict[str, Any]]:
    """One entry per job (scheduled or seen in the history), failing jobs first."""
    jobs = []
    for name in sorted(set(runs) | set(schedule)):
        rows = [{**r, "duration": duration_label(r["started_at"], r["finished_at"]),
                 "started": when_label(r["started_at"]), "failed": r["status"] == "failed"}
                for r in runs.get(name, [])]
        spec = schedule.get(name, {})
        jobs.append({
            "name": name, "description": spec.get("description", ""),
            "next_run": when_label(spec.get("next_run")) if spec else "not scheduled",
            "last_success": when_label(successes.get(name)),
            "failing": bool(rows) and rows[0]["failed"],
            "failures": sum(r["failed"] for r in rows), "runs": rows,
        })
    return sorted(jobs, key=lambda j: not j["failing"])
