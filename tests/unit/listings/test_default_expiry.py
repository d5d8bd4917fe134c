"""The default expiry never falls before the application deadline: 60 days from publishing,
or the day after the deadline when that is later, never more than a year ahead; a chosen
expiry still ahead is kept."""

from __future__ import annotations

import datetime as dt

from board.listings.status import MAX_EXPIRY_DAYS, default_expiry, expiry_on_publish

NOW = dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.UTC)


def test_without_a_deadline_it_runs_the_listing_days():
    assert default_expiry(NOW, 60) == NOW + dt.timedelta(days=60)


def test_an_early_deadline_changes_nothing():
    assert default_expiry(NOW, 60, dt.date(2027, 1, 20)) == NOW + dt.timedelta(days=60)


def test_a_late_deadline_keeps_the_listing_through_its_day():
    expires = default_expiry(NOW, 60, dt.date(2027, 5, 15))
    assert expires == dt.datetime(2027, 5, 16, tzinfo=dt.UTC)
    assert expires.date() > dt.date(2027, 5, 15)


def test_never_more_than_a_year_ahead():
    expires = default_expiry(NOW, 60, dt.date(2029, 1, 1))
    assert expires == NOW + dt.timedelta(days=MAX_EXPIRY_DAYS)


def test_publish_keeps_a_chosen_expiry_and_defaults_a_past_one_with_the_deadline():
    chosen = NOW + dt.timedelta(days=10)
    assert expiry_on_publish(chosen, NOW, 60, dt.date(2027, 5, 15)) == chosen
    past = NOW - dt.timedelta(days=1)
    assert expiry_on_publish(past, NOW, 60, dt.date(2027, 5, 15)) == dt.datetime(
        2027, 5, 16, tzinfo=dt.UTC)
    assert expiry_on_publish(None, NOW, 60) == NOW + dt.timedelta(days=60)
