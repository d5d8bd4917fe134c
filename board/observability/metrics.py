"""The board's Prometheus metrics and their exposition.

Counters and histograms are recorded where things happen (the request wrapper, the search
gateway, the job runner, the digest, the rate limiter) through the small functions below, so
callers never touch label names. The outbox numbers are read from the store at scrape time:
a gauge kept by one process would be wrong the moment another process drains.

Labels are bounded sets: the route TEMPLATE (never the raw path, which would carry tokens
and make one series per listing), the job name, an outcome word.
"""

from __future__ import annotations

import functools
import glob
import os
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace

from board.observability import multiproc

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@functools.cache
def _m() -> SimpleNamespace:
    """The metric objects, made on first use: prometheus_client picks in-process or
    multiprocess values when it is imported, and `board serve` sets the multiprocess
    directory only after the CLI's modules are loaded (board.observability.multiproc)."""
    from prometheus_client import Counter, Histogram

    return SimpleNamespace(
        requests=Counter("board_http_requests_total", "HTTP requests answered",
                         ["method", "route", "status"]),
        request_seconds=Histogram("board_http_request_duration_seconds",
                                  "Time to answer a request", ["method", "route"]),
        search_seconds=Histogram("board_search_duration_seconds",
                                 "Time of one search (engine call or cache hit)"),
        search_errors=Counter("board_search_errors_total", "Searches the engine failed",
                              ["kind"]),  # unavailable | rejected
        job_runs=Counter("board_job_runs_total", "Scheduled job runs", ["job", "outcome"]),
        job_seconds=Histogram("board_job_duration_seconds", "Time of one job run", ["job"],
                              buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800)),
        digest_mails=Counter("board_digest_mails_total", "Digest mails by outcome",
                             ["outcome"]),  # sent | deferred | failed | unknown
        rate_limited=Counter("board_rate_limit_refusals_total",
                             "Requests refused by a rate limit", ["limit"]),
    )


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    count, timing = _request_series(method, route, status)
    count.inc()
    timing.observe(seconds)


@functools.cache
def _request_series(method: str, route: str, status: int) -> tuple:
    # One lookup per request instead of two `labels()` calls (each checks and joins its
    # labels under a lock); bounded like the labels: methods x route templates x statuses.
    m = _m()
    return m.requests.labels(method, route, str(status)), m.request_seconds.labels(method, route)


def observe_search(seconds: float, error: str | None = None) -> None:
    m = _m()
    m.search_seconds.observe(seconds)
    if error:
        m.search_errors.labels(error).inc()


def observe_job(job: str, outcome: str, seconds: float) -> None:
    m = _m()
    m.job_runs.labels(job, outcome).inc()
    m.job_seconds.labels(job).observe(seconds)


def count_digest_mails(**by_outcome: int) -> None:
    for outcome, n in by_outcome.items():
        if n:
            _m().digest_mails.labels(outcome).inc(n)


def count_refusal(limit: str) -> None:
    _m().rate_limited.labels(limit).inc()


class _Merged:
    """Sums the files of every role's directory (web workers and the scheduler), as
    MultiProcessCollector does for one directory."""

    def __init__(self, directories: Iterable[Path]):
        self.directories = list(directories)

    def collect(self):
        files: list[str] = []
        for directory in self.directories:
            files += glob.glob(os.path.join(directory, "*.db"))
        from prometheus_client.multiprocess import MultiProcessCollector

        return MultiProcessCollector.merge(files, accumulate=True)


class _Outbox:
    def __init__(self, pending: int, oldest_age_s: float):
        self.pending, self.oldest_age_s = pending, oldest_age_s

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        yield GaugeMetricFamily("board_outbox_pending", "Index changes waiting for the drainer",
                                value=self.pending)
        yield GaugeMetricFamily("board_outbox_oldest_pending_age_seconds",
                                "Age of the oldest pending index change (0 when none)",
                                value=self.oldest_age_s)


def exposition(outbox_pending: int, outbox_oldest_age_s: float) -> bytes:
    """The text format for one scrape: every process's counters plus the outbox gauges."""
    from prometheus_client import CollectorRegistry, generate_latest

    _m()  # a scrape before any request still lists the metrics (at zero)
    directories = multiproc.directories()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Merged(directories) if directories else _Process())
    registry.register(_Outbox(outbox_pending, outbox_oldest_age_s))
    return generate_latest(registry)


class _Process:
    """This process's own metrics (one process: `make run`, the in-process tests)."""

    def collect(self):
        from prometheus_client import REGISTRY

        return REGISTRY.collect()
