"""Piccolo tables for the whole domain. Composite uniqueness is kept as one `key` column
(e.g. "subscriber:period") because it is portable across SQLite and PostgreSQL migrations."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Institution(Table):
    name = Varchar(length=200, unique=True)
    kind = Varchar(length=40, default="hospital")
    city = Varchar(length=120, default="")
    state = Varchar(length=2, default="")
    website = Varchar(length=300, default="")
    verified = Boolean(default=False)
    # Set when a moderator bans a squatted or fake institution (board.moderation.institutions).
    banned_at = Timestamptz(null=True, default=None)
    # Set while a moderator has suspended it (board.moderation.institutions): its listings
    # leave search and it cannot submit; lifting the suspension brings them back.
    suspended_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Member(Table):
    institution = ForeignKey(references=Institution, null=True)
    email = Varchar(length=254, unique=True)
    name = Varchar(length=200, default="")
    password_hash = Varchar(length=300, default="")
    is_staff = Boolean(default=False)
    is_active = Boolean(default=True)
    email_verified_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class Opportunity(Table):
    institution = ForeignKey(references=Institution, index=True)
    created_by = ForeignKey(references=Member, null=True)
    kind = Varchar(length=20)
    title = Varchar(length=200)
    description = Text(default="")
    specialty = Varchar(length=120)
    state = Varchar(length=2, default="", index=True)
    city = Varchar(length=120, default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    remote = Boolean(default=False)
    hands_on = Boolean(default=False)
    duration_weeks = Integer(null=True, default=None)
    start_date = Date(null=True, default=None)
    application_deadline = Date(null=True, default=None)
    # NULL = not stated (0 = free): a skipped fee must never publish as "Free".
    fee_usd = Integer(null=True, default=None)
    stipend_usd = Integer(null=True, default=None)
    lor_offered = Boolean(default=False)
    ecfmg_required = Boolean(default=False)
    usmle_step1_required = Boolean(default=False)
    usmle_step2ck_required = Boolean(default=False)
    max_years_since_graduation = Integer(null=True, default=None)
    b1b2_accepted = Boolean(default=False)
    j1_sponsored = Boolean(default=False)
    visa_notes = Text(default="")
    # The IMG depth (issue 14): NULL = not stated, never the same as "no" or 0.
    application_fee_usd = Integer(null=True, default=None)
    deposit_usd = Integer(null=True, default=None)
    refund_policy = Varchar(length=20, null=True, default=None)
    refund_terms = Text(default="")
    payee = Varchar(length=20, null=True, default=None)
    intermediary_name = Varchar(length=200, default="")
    lor_policy = Varchar(length=20, null=True, default=None)
    participants_last_year = Integer(null=True, default=None)
    letters_last_year = Integer(null=True, default=None)
    hands_on_level = Integer(null=True, default=None)
    ehr_access = Varchar(length=10, null=True, default=None)
    setting = Varchar(length=20, null=True, default=None)
    hours_per_week = Integer(null=True, default=None)
    seats = Integer(null=True, default=None)
    open_to = JSON(null=True, default=None)  # a list of values; NULL = not stated
    visa_statuses = JSON(null=True, default=None)
    remote_from_abroad = Boolean(null=True, default=None)
    # Computed on every write (board.core.derived.total_cost); NULL when the fee is not stated.
    total_cost_usd = Integer(null=True, default=None)
    apply_url = Varchar(length=500, default="")
    apply_email = Varchar(length=254, default="")
    status = Varchar(length=20, default="draft", index=True)
    review_flags = JSON(default=[])
    # The content fields as last approved (board.listings.review): the staff queue shows an
    # edit's changes against it.
    approved_values = JSON(default={})
    rejection_reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None, index=True)
    closed_at = Timestamptz(null=True, default=None)
    reminded_for = Timestamptz(null=True, default=None)
    views = Integer(default=0)
    apply_clicks = Integer(default=0)
    # Honest signals (issue 15): when the host last said "still accepting applicants"
    # (publish, renew, edit, the reconfirm link), "full until" a date, and when three
    # distinct visitors reported it closed (board.listings.reconfirm, board.moderation.reports).
    confirmed_at = Timestamptz(null=True, default=None, index=True)
    full_until = Date(null=True, default=None)
    reported_closed_at = Timestamptz(null=True, default=None)
    # The `event` kind (issue 18, board.core.events): the first occurrence, the host's IANA
    # zone, an RFC 5545 RRULE ("" = once), and the join link (public, or only once saved).
    starts_at = Timestamptz(null=True, default=None)
    ends_at = Timestamptz(null=True, default=None)
    timezone = Varchar(length=64, default="")
    recurrence = Varchar(length=300, default="")
    online = Boolean(default=False)
    join_url = Varchar(length=500, default="")
    join_url_public = Boolean(default=False)


class Subscriber(Table):
    # (email, filters_key) is unique: an index made by migration 2026-11-29 (Piccolo cannot
    # declare a unique index over two columns here).
    email = Varchar(length=254, index=True)
    filters = JSON(default={})
    filters_key = Varchar(length=64, default="", index=True)
    token = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None)
    unsubscribed_at = Timestamptz(null=True, default=None)
    paused = Boolean(default=False)
    suppressed = Boolean(default=False)
    last_digest_at = Timestamptz(null=True, default=None)


class DigestDelivery(Table):
    key = Varchar(length=120, unique=True)
    subscriber = ForeignKey(references=Subscriber, index=True)
    period = Varchar(length=10)
    status = Varchar(length=10, default="claimed")
    listing_count = Integer(default=0)
    attempts = Integer(default=0)
    error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)


class OutboxEvent(Table):
    opportunity_id = Integer(index=True)
    reason = Varchar(length=40)
    status = Varchar(length=10, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    done_at = Timestamptz(null=True, default=None)


class JobRun(Table):
    key = Varchar(length=120, unique=True)
    job = Varchar(length=40, index=True)
    slot = Timestamptz()
    status = Varchar(length=10, default="running")
    started_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    counts = JSON(default={})
    error = Text(default="")


class Report(Table):
    opportunity = ForeignKey(references=Opportunity, index=True)
    reason = Text()
    email = Varchar(length=254, default="")
    # A structured reason (board.moderation.reports.CATEGORIES) and a salted hash of the
    # reporter's address or IP and the day: counts distinct reporters, never stores either.
    category = Varchar(length=20, default="other", index=True)
    reporter_hash = Varchar(length=64, default="", index=True)
    status = Varchar(length=10, default="open")
    resolution = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)


class ReconfirmMail(Table):
    """The reconfirm job's ledger: one row per (listing, confirmation it asked about), so a
    host is asked once per period, never twice (key = "listing:confirmed_at")."""

    key = Varchar(length=120, unique=True)
    opportunity_id = Integer(index=True)
    reason = Varchar(length=20, default="due")
    sent_at = Timestamptz(default=TimestamptzNow())


class Completion(Table):
    """A rotation the host says a participant completed: the only way to a review link."""

    opportunity_id = Integer(index=True)
    institution_id = Integer(index=True)
    participant_email = Varchar(length=254)
    starts_on = Date(null=True, default=None)
    ends_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Review(Table):
    """A participant's review (board.reviews.services): one per completion (unique), shown
    unless a moderator hid it (with a reason shown to its author) or its author withdrew it."""

    completion_id = Integer(unique=True)
    opportunity_id = Integer(index=True)
    institution_id = Integer(index=True)
    overall = Integer()
    teaching = Integer()
    hands_on = Integer()
    organisation = Integer()
    letter = Varchar(length=12)  # yes | no | did_not_ask
    costs_as_advertised = Boolean()
    body = Text(default="")
    display_name = Varchar(length=120, default="")
    status = Varchar(length=10, default="shown", index=True)  # shown | hidden | withdrawn
    hidden_reason = Text(default="")
    reply = Text(default="")
    replied_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ApiToken(Table):
    institution = ForeignKey(references=Institution, index=True)
    member = ForeignKey(references=Member, null=True)
    name = Varchar(length=100, default="")
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=12, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class KeyValue(Table):
    """Shared store for server-side sessions and rate-limit counters (several workers)."""

    key = Varchar(length=200, unique=True)
    value = Bytea(default=b"")
    expires_at = Timestamptz(null=True, default=None, index=True)
    # Rate-limit counters only: incremented in one statement (DatabaseStore.incr).
    hits = Integer(default=0)


ALL_TABLES: list[type[Table]] = [
    Institution, Member, Opportunity, Subscriber, DigestDelivery,
    OutboxEvent, JobRun, Report, ApiToken, KeyValue, ReconfirmMail, Completion, Review,
]

# The IMG's planner (issue 18) keeps its tables in its own module; listed here so the engine,
# Piccolo's app (board.piccolo_app) and the test store cover them like every other table.
from board.planner.tables import PLANNER_TABLE_CLASSES  # noqa: E402

ALL_TABLES += PLANNER_TABLE_CLASSES
# The planner's outreach tracker (issue 18), after the Planner it references.
from board.planner.tracker_tables import TRACKER_TABLE_CLASSES  # noqa: E402

ALL_TABLES += TRACKER_TABLE_CLASSES
