"""What moderators work on: institutions to verify, the pending queue, open reports and the
recent job runs. Approve / reject / remove themselves live in board.listings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from board.indexing import outbox
from board.indexing.gateway import utcnow
from board.listings import review
from board.listings.red_flags import flagged_spans
from board.listings.status import Status
from board.moderation.evidence import domain_match, highlight, institution_evidence
from board.store.engine import write_transaction
from board.store.tables import Institution, JobRun, Member, Opportunity, Report, Review

RUNS_PER_JOB = 5


async def unverified_institutions() -> list[dict[str, Any]]:
    """Each unverified institution with its members and whether one of their email domains
    matches the website (a hint, shown to the moderator)."""
    institutions = await Institution.select().where(
        (Institution.verified == False) & Institution.banned_at.is_null()  # noqa: E712
    ).order_by(Institution.created_at).run()
    if not institutions:
        return []
    members = await Member.select(Member.institution, Member.email, Member.name,
                                  Member.email_verified_at).where(
        Member.institution.is_in([i["id"] for i in institutions])).run()
    counts = await _listing_counts([i["id"] for i in institutions])
    for inst in institutions:
        inst["members"] = [m for m in members if m["institution"] == inst["id"]]
        inst["domain_match"] = any(domain_match(m["email"], inst["website"])
                                   for m in inst["members"])
        inst["listing_counts"] = counts.get(inst["id"], {})
    # The institutions holding listings in the queue are the ones blocking someone now.
    return sorted(institutions, key=lambda i: not i["listing_counts"].get(Status.PENDING))


async def _listing_counts(institution_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = await Opportunity.select(Opportunity.institution, Opportunity.status).where(
        Opportunity.institution.is_in(institution_ids)).run()
    counts: dict[int, dict[str, int]] = {}
    for r in rows:
        per = counts.setdefault(r["institution"], {})
        per[r["status"]] = per.get(r["status"], 0) + 1
    return counts


async def verify_institution(institution_id: int, now: dt.datetime | None = None) -> int:
    """Mark verified; the published listings' search documents carry the flag, so their
    outbox events go in the same transaction. Returns how many listings were queued."""
    now = now or utcnow()
    async with write_transaction():
        updated = await Institution.update({Institution.verified: True, Institution.updated_at: now}
                                           ).where(Institution.id == institution_id
                                                   ).returning(Institution.id).run()
        if not updated:
            from board.listings.services import NotFound

            raise NotFound(institution_id)
        rows = await Opportunity.select(Opportunity.id).where(
            (Opportunity.institution == institution_id) & (Opportunity.status == Status.PUBLISHED)).run()
        await outbox.record([r["id"] for r in rows], "institution_verified")
    return len(rows)


async def pending_queue() -> list[dict[str, Any]]:
    """Pending listings, oldest first, with their description and, for an edit of an
    approved listing, `changes`: (field label, approved value, new value)."""
    rows = await Opportunity.select(
        Opportunity.id, Opportunity.title, Opportunity.kind, Opportunity.specialty,
        Opportunity.city, Opportunity.state, Opportunity.fee_usd, Opportunity.apply_url,
        Opportunity.review_flags, Opportunity.submitted_at, Opportunity.institution,
        Opportunity.description, Opportunity.approved_values,
        *[getattr(Opportunity, name) for name in review.CONTENT_FIELDS],
        Opportunity.institution.name.as_alias("institution_name"),
        Opportunity.institution.verified.as_alias("institution_verified"),
    ).where(Opportunity.status == Status.PENDING).order_by(Opportunity.submitted_at).output(
        load_json=True).run()
    evidence = await institution_evidence(sorted({r["institution"] for r in rows}))
    for row in rows:
        row["changes"] = review.diff(row.get("approved_values"), row)
        row["evidence"] = evidence.get(row["institution"])
        row["description_html"] = highlight(row.get("description") or "")
        row["title_html"] = highlight(row.get("title") or "")
        row["flagged"] = bool(flagged_spans(row.get("description") or ""))
    return rows


async def suspended_institutions() -> list[dict[str, Any]]:
    return await Institution.select(Institution.id, Institution.name, Institution.suspended_at
                                    ).where(Institution.suspended_at.is_not_null()
                                            ).order_by(Institution.suspended_at).run()


async def tab_counts() -> dict[str, int]:
    """The number each staff tab carries: what waits for a moderator there."""
    return {
        "queue": await Opportunity.count().where(Opportunity.status == Status.PENDING).run(),
        "institutions": await Institution.count().where(
            (Institution.verified == False) & Institution.banned_at.is_null()).run(),  # noqa: E712
        "reports": await Report.count().where(Report.status == "open").run(),
        "reviews": await Review.count().where(Review.status == "held").run(),
        # Job runs: the failures of the last day (a failing job is what a moderator acts on;
        # older failures stay on the tab itself but no longer call for attention).
        "jobs": await JobRun.count().where(
            (JobRun.status == "failed")
            & (JobRun.started_at > utcnow() - dt.timedelta(days=1))).run(),
    }


async def institution_member_emails(institution_id: int) -> list[str]:
    rows = await Member.select(Member.email).where(
        (Member.institution == institution_id) & (Member.is_active == True)).run()  # noqa: E712
    return [r["email"] for r in rows]


async def open_reports() -> list[dict[str, Any]]:
    return await Report.select(
        Report.all_columns(),
        Report.opportunity.title.as_alias("listing_title"),
        Report.opportunity.status.as_alias("listing_status"),
        Report.opportunity.institution.name.as_alias("institution_name"),
    ).where(Report.status == "open").order_by(Report.created_at).run()


async def reports_by_listing() -> list[dict[str, Any]]:
    """Open reports grouped by listing, each with its reasons counted: listings with a
    "suspected scam" report first, then the most reported, then the oldest report."""
    groups: dict[int, dict[str, Any]] = {}
    for r in await open_reports():
        group = groups.setdefault(r["opportunity"], {
            "opportunity": r["opportunity"], "listing_title": r["listing_title"],
            "listing_status": r["listing_status"], "institution_name": r["institution_name"],
            "counts": {}, "reports": [], "first": r["created_at"]})
        category = r.get("category") or "other"
        group["counts"][category] = group["counts"].get(category, 0) + 1
        group["reports"].append(r)
    for group in groups.values():
        group["scam"] = "scam" in group["counts"]
    return sorted(groups.values(), key=lambda g: (not g["scam"], -len(g["reports"]), g["first"]))


async def resolve_listing_reports(opportunity_ids: list[int], resolution: str,
                                  now: dt.datetime | None = None) -> int:
    """Resolve every open report of these listings at once; how many were resolved."""
    if not opportunity_ids:
        return 0
    rows = await Report.update({Report.status: "resolved", Report.resolution: resolution,
                                Report.resolved_at: now or utcnow()}).where(
        Report.opportunity.is_in(opportunity_ids) & (Report.status == "open")
    ).returning(Report.id).run()
    return len(rows)


async def resolve_report(report_id: int, resolution: str, now: dt.datetime | None = None) -> int:
    """Close a report; returns its listing id. NotFound for an unknown or resolved report."""
    rows = await Report.update({Report.status: "resolved", Report.resolution: resolution,
                                Report.resolved_at: now or utcnow()}).where(
        (Report.id == report_id) & (Report.status == "open")).returning(Report.opportunity).run()
    if not rows:
        from board.listings.services import NotFound

        raise NotFound(report_id)
    return rows[0]["opportunity"]


async def recent_job_runs(per_job: int = RUNS_PER_JOB) -> dict[str, list[dict[str, Any]]]:
    rows = await JobRun.select().order_by(JobRun.started_at, ascending=False).limit(500).output(
        load_json=True).run()
    runs: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        bucket = runs.setdefault(row["job"], [])
        if len(bucket) < per_job:
            bucket.append(row)
    return dict(sorted(runs.items()))
