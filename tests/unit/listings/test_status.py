"""The lifecycle table and the visibility rule as plain functions: no store, no engine."""

from __future__ import annotations

import datetime as dt

import pytest

from board.listings.status import (
    CLOSING_SOON_DAYS,
    MAX_EXPIRY_DAYS,
    TRANSITIONS,
    Status,
    allowed_verbs,
    allows,
    closing_soon,
    expiry_on_publish,
    expiry_on_renew,
    latest_expiry,
    refusal,
    status_on_submit,
)
from board.listings.visibility import PRIVATE_STATUSES, PUBLIC_PAGE_STATUSES, is_listed, is_visible
from board.settings import DEFAULT_LISTING_DAYS
from search.query import VISIBLE_STATUS, SearchQuery, base_clauses

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
S = Status


@pytest.mark.parametrize(("verb", "sources"), [
    ("submit", {S.DRAFT, S.REJECTED}),
    ("approve", {S.PENDING}),
    ("reject", {S.PENDING}),
    ("renew", {S.PUBLISHED, S.EXPIRED}),
    ("close", {S.PUBLISHED, S.EXPIRED, S.PENDING, S.DRAFT}),
    ("expire", {S.PUBLISHED}),
    ("remove", set(S) - {S.REMOVED}),
    ("edit", set(S) - {S.REMOVED}),
    ("publish", set(S)),
])
def test_each_verb_moves_only_from_its_statuses(verb, sources):
    assert TRANSITIONS[verb].sources == sources
    for status in S:
        assert allows(verb, status) == (status in sources)
        assert allows(verb, str(status)) == (status in sources)  # a row's plain string


def test_targets_and_refusals():
    assert TRANSITIONS["close"].target == S.CLOSED
    assert TRANSITIONS["expire"].target == S.EXPIRED
    assert TRANSITIONS["submit"].target is None  # decided by status_on_submit
    assert refusal("submit", "published") == "a published listing cannot be submitted"
    assert refusal("close", "removed") == "a removed listing cannot be closed"


def test_dashboard_buttons_come_from_the_table():
    assert allowed_verbs("draft") == {"submit", "close", "edit"}
    assert allowed_verbs("expired") == {"renew", "close", "edit"}
    assert allowed_verbs("removed") == frozenset()


def test_publish_decision():
    assert status_on_submit(True, []) == S.PUBLISHED
    assert status_on_submit(True, ["guaranteed letters"]) == S.PENDING
    assert status_on_submit(False, []) == S.PENDING


def test_expiry_rules():
    later = NOW + dt.timedelta(days=5)
    assert expiry_on_publish(None, NOW, 60) == NOW + dt.timedelta(days=60)
    assert expiry_on_publish(NOW, NOW, 60) == NOW + dt.timedelta(days=60)  # at the instant: gone
    assert expiry_on_publish(later, NOW, 60) == later
    assert expiry_on_renew(later, NOW, 60) == later + dt.timedelta(days=60)  # early: added on
    assert expiry_on_renew(NOW - dt.timedelta(days=3), NOW, 60) == NOW + dt.timedelta(days=60)
    assert DEFAULT_LISTING_DAYS == 60


def test_renewals_never_run_past_a_year_from_now():
    # Before: each click added 60 days to the running expiry, without bound.
    expires = NOW
    for _ in range(20):
        expires = expiry_on_renew(expires, NOW, 60)
    assert expires == NOW + dt.timedelta(days=MAX_EXPIRY_DAYS) == latest_expiry(NOW)
    assert expiry_on_renew(NOW, NOW, 60) == NOW + dt.timedelta(days=60)  # a normal renew
    assert expiry_on_publish(None, NOW, 5000) == latest_expiry(NOW)


def test_closing_soon_boundary():
    assert closing_soon(NOW.date() + dt.timedelta(days=CLOSING_SOON_DAYS), NOW)
    assert not closing_soon(NOW.date() + dt.timedelta(days=CLOSING_SOON_DAYS + 1), NOW)
    assert not closing_soon(None, NOW)


@pytest.mark.parametrize(("status", "expires", "visible"), [
    ("published", NOW + dt.timedelta(microseconds=1), True),
    ("published", NOW, False),  # the expiry instant itself is already past
    ("published", NOW - dt.timedelta(seconds=1), False),
    ("published", None, False),
    ("published", (NOW + dt.timedelta(hours=1)).replace(tzinfo=None), True),  # SQLite: naive UTC
    ("expired", NOW + dt.timedelta(days=1), False),
    ("closed", NOW + dt.timedelta(days=1), False),
    ("pending", NOW + dt.timedelta(days=1), False),
])
def test_is_visible_at_the_boundaries(status, expires, visible):
    assert is_visible({"status": status, "expires_at": expires}, NOW) is visible


def test_page_statuses_partition_all_but_removed():
    assert PUBLIC_PAGE_STATUSES | PRIVATE_STATUSES == set(S) - {S.REMOVED}
    assert not PUBLIC_PAGE_STATUSES & PRIVATE_STATUSES


def test_search_mirror_uses_the_same_status_and_a_strict_expiry():
    assert VISIBLE_STATUS == S.PUBLISHED
    clauses = base_clauses(SearchQuery(now_ts=int(NOW.timestamp())))
    assert clauses[:2] == [f'status = "{S.PUBLISHED}"', f"expires_at_ts > {int(NOW.timestamp())}"]


@pytest.mark.parametrize("age", [
    dt.timedelta(days=43, hours=23), dt.timedelta(days=44), dt.timedelta(days=44, seconds=1),
    dt.timedelta(days=44, seconds=-1), dt.timedelta(days=100), dt.timedelta(0)])
def test_the_reconfirm_grace_and_its_search_mirror_agree(age):
    """board.listings.visibility.is_listed and search.query's confirmed clause (via the
    in-memory mirror of the engine's filter) decide the same at the boundary."""
    from board.browse.params import parse_search
    from board.core.search_spec import INDEX_SPEC
    from search.documents import build_document
    from search.memory import _base_matches

    row = {"id": 1, "title": "T", "kind": "research", "specialty": "Neurology",
           "status": "published", "expires_at": NOW + dt.timedelta(days=10),
           "published_at": NOW - dt.timedelta(days=200), "confirmed_at": NOW - age}
    query = parse_search({}, now=NOW, unlisted_after_days=44)
    doc = build_document(row, INDEX_SPEC.bool_fields)
    assert _base_matches(doc, query, INDEX_SPEC) is is_listed(row, NOW, 44)
    assert f"confirmed_at_ts > {query.confirmed_after_ts}" in base_clauses(query)
