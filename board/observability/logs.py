"""Logging set-up: LOG_FORMAT=console (readable lines, the default for `make run`) or json
(one JSON object per line for a log shipper), every record carrying the request id of the
request it was written under, and the one line each job run leaves.

What a line may hold: route templates, never raw paths or query strings (mailed links carry
signed tokens in the path and emails in the query), and never a header value other than the
request id."""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from board.observability import metrics
from board.observability.log_queue import BatchedQueueHandler

# The request being answered (set by board.web.access_log), "-" outside of one.
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
CONSOLE_FORMAT = "%(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s"  # plus "time": ISO 8601 in UTC
_jobs = logging.getLogger("board.jobs")


class _RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        # uvicorn adds a copy of its message with terminal colours: not for a log shipper.
        return JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"},
                             timestamp="time", reserved_attrs=[*RESERVED_ATTRS, "color_message"])
    return logging.Formatter(CONSOLE_FORMAT)


def configure(log_format: str = "console") -> None:
    """The root handler on stderr in the chosen format (replacing any earlier set-up, so a
    worker process that re-runs it does not print each line twice)."""
    stream = logging.StreamHandler()
    stream.setFormatter(formatter(log_format))
    # Records go to a writer thread in batches (log_queue: a request never wakes a thread);
    # the request id is read here, in the request's own context, before the hand-off.
    handler = BatchedQueueHandler(stream)
    handler.addFilter(_RequestId())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # One line per Meilisearch call drowns the access log; keep httpx to warnings.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)  # the 5 s drain tick


def job_finished(job: str, outcome: str, seconds: float, counts: dict[str, Any] | None = None,
                 error: str = "", *, quiet: bool = False) -> None:
    """Count a job run and write its line (`quiet`: a frequent tick that found nothing to
    do is counted but not logged, as it is not recorded in the history either)."""
    metrics.observe_job(job, outcome, seconds)
    if quiet:
        return
    _jobs.info("job %s %s in %.0f ms", job, outcome, seconds * 1000, extra={
        "job": job, "outcome": outcome, "duration_ms": round(seconds * 1000, 1),
        "counts": counts or {}, **({"error": error} if error else {})})
