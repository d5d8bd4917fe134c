"""The daily purge: what the store no longer needs. Each rule is one set-based DELETE with
a cut-off computed from `now`, so a second run the same day deletes nothing."""

from __future__ import annotations

import datetime as dt

from board.moderation.institutions import purge_abandoned
from board.moderation.reports import purge_hashes
from board.planner.purge import purge_idle_anonymous
from board.store.tables import ApiToken, JobRun, KeyValue, OutboxEvent, Subscriber

UNCONFIRMED_DAYS = 7      # a confirmation link nobody followed in a week will not be
JOB_RUN_DAYS = 30         # the run history the staff page and `board jobs status` show
DONE_OUTBOX_DAYS = 7      # delivered search events are kept a while for debugging
REVOKED_TOKEN_DAYS = 30   # a revoked API token's row explains 401s for a month, then goes


async def purge(now: dt.datetime) -> dict[str, int]:
    unconfirmed = await Subscriber.delete().where(
        Subscriber.confirmed_at.is_null()
        & (Subscriber.created_at < now - dt.timedelta(days=UNCONFIRMED_DAYS))
    ).returning(Subscriber.id).run()
    # Sessions, rate-limit counters and lapsed leases all live here with their expiry.
    expired_keys = await KeyValue.delete().where(
        KeyValue.expires_at < now
    ).returning(KeyValue.id).run()
    tokens = await ApiToken.delete().where(
        ApiToken.revoked_at < now - dt.timedelta(days=REVOKED_TOKEN_DAYS)
    ).returning(ApiToken.id).run()
    runs = await JobRun.delete().where(
        JobRun.started_at < now - dt.timedelta(days=JOB_RUN_DAYS)
    ).returning(JobRun.id).run()
    events = await OutboxEvent.delete().where(
        (OutboxEvent.status == "done")
        & (OutboxEvent.done_at < now - dt.timedelta(days=DONE_OUTBOX_DAYS))
    ).returning(OutboxEvent.id).run()
    # Squatted names: unverified institutions nobody took up (board.moderation.institutions).
    institutions = await purge_abandoned(now)
    # Reporters' salted hashes live 90 days (board.moderation.reports.HASH_DAYS).
    report_hashes = await purge_hashes(now)
    # Anonymous planners idle 90 days, shortlist and tracker rows with them.
    planners = await purge_idle_anonymous(now)
    return {"report_hashes": report_hashes, "anonymous_planners": planners,
            "unconfirmed_subscribers": len(unconfirmed), "abandoned_institutions": institutions,
            "expired_keys": len(expired_keys),
            "revoked_tokens": len(tokens), "job_runs": len(runs), "outbox_events": len(events)}
