"""The job table's schedule without a server: which slot a firing belongs to, the
scheduler's configuration, and the advisory lock ids."""

from __future__ import annotations

import datetime as dt

import pytest

from jobs import slots
from jobs.runner import build_scheduler
from jobs.slots import slot_for
from jobs.table import JOBS


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize("name, now, slot", [
    ("expire", utc(2031, 1, 15, 10, 7, 30), utc(2031, 1, 15, 10, 0)),
    ("expire", utc(2031, 1, 15, 10, 15), utc(2031, 1, 15, 10, 15)),
    ("expire", utc(2031, 1, 15, 0, 14, 59), utc(2031, 1, 15, 0, 0)),
    ("digest", utc(2031, 1, 15, 10, 4), utc(2031, 1, 15, 9, 5)),
    ("digest", utc(2031, 1, 15, 10, 5, 1), utc(2031, 1, 15, 10, 5)),
    ("remind", utc(2031, 1, 15, 13, 59), utc(2031, 1, 14, 14, 0)),
    ("remind", utc(2031, 1, 15, 14, 0, 30), utc(2031, 1, 15, 14, 0)),
    ("reconcile", utc(2031, 1, 1, 0, 0), utc(2030, 12, 31, 3, 30)),
])
def test_a_firing_belongs_to_the_latest_scheduled_slot(name, now, slot):
    assert slot_for(name, now) == slot


def test_the_scheduler_has_every_job_coalesced_one_instance_tolerating_misfires():
    assert list(JOBS) == ["expire", "remind", "digest", "drain", "reconcile", "purge",
                          "reconfirm", "follow-ups", "events"]
    jobs = {job.id: job for job in build_scheduler(rt=None).scheduler.get_jobs()}  # type: ignore[arg-type]
    assert set(jobs) == set(JOBS)
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time >= 600


def test_lock_ids_are_stable_signed_64_bit_and_distinct():
    ids = {name: slots.lock_id(name) for name in JOBS}
    assert len(set(ids.values())) == len(ids)
    assert all(-(2 ** 63) <= v < 2 ** 63 for v in ids.values())
    assert slots.lock_id("expire") == slots.lock_id("expire")
