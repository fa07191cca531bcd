"""Insights without personal data: the words scrubbed and grouped, a visitor key that changes daily, outward codes,
and a recorder that never lets a failure reach the resident."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from townhall.cases.insights import normalise_query, outward_code, visitor_key
from townhall.engines.recorder import InsightsRecorder


@pytest.mark.parametrize(("typed", "stored"), [
    ("Missed  BIN", "missed bin"),
    ("missed bin!!!", "missed bin"),
    ("  Council-tax   single person discount? ", "council-tax single person discount"),
    ("email jo.bloggs@example.com about my bin", "email [email removed] about my bin"),
    ("call me 07700 900123", "call me [phone number removed]"),
    ("bins at BK1 1AA", "bins at [postcode removed]"),
    ("bins at bk11aa", "bins at [postcode removed]"),
    ("account 12345678 council tax", "account [number removed] council tax"),
    ("Gwastraff Swmpus", "gwastraff swmpus"),
    ("BK1", "bk1"),  # a district alone names thousands of homes: kept
])
def test_words_are_scrubbed_then_grouped(typed, stored):
    assert normalise_query(typed) == stored


@pytest.mark.parametrize("typed", ["", "   ", "?!", "jo@example.com", "07700 900123", "BK1 1AA", "12345678"])
def test_nothing_is_kept_when_nothing_but_personal_details_is_left(typed):
    assert normalise_query(typed) is None


def test_a_long_query_is_cut():
    assert len(normalise_query("word " * 200)) <= 200


def test_the_visitor_key_changes_every_day_and_never_holds_the_address():
    monday = visitor_key("secret", date(2026, 3, 9), "203.0.113.7")
    assert monday == visitor_key("secret", date(2026, 3, 9), "203.0.113.7")
    assert monday != visitor_key("secret", date(2026, 3, 10), "203.0.113.7")
    assert monday != visitor_key("secret", date(2026, 3, 9), "203.0.113.8")
    assert monday != visitor_key("another secret", date(2026, 3, 9), "203.0.113.7")
    assert len(monday) == 16 and "203" not in monday


@pytest.mark.parametrize(("postcode", "outward"), [
    ("SW1A 1AA", "SW1A"), ("sw1a1aa", "SW1A"), ("M1 1AE", "M1"), ("CF10 1EP", "CF10"),
    ("That location", None), ("", None), (None, None), ("SW1A", None), ("not a postcode", None),
])
def test_outside_postcodes_keep_the_outward_code_only(postcode, outward):
    assert outward_code(postcode) == outward


class BrokenDatabase:
    def transaction(self, work, **options):
        raise RuntimeError("the database is on fire: jo@example.com")


def test_a_failing_write_is_logged_without_details_and_swallowed(caplog):
    recorder = InsightsRecorder(BrokenDatabase(), synchronous=True)
    with caplog.at_level(logging.WARNING):
        recorder.record(lambda session: None)
    assert "RuntimeError" in caplog.text and "jo@example.com" not in caplog.text


def test_the_background_writer_writes_in_batches(sqlite_database):
    from sqlalchemy import func, select

    from townhall.cases.insights import record_outside_postcode
    from townhall.cases.models import OutsidePostcode

    recorder = InsightsRecorder(sqlite_database)
    for _ in range(5):
        recorder.record(lambda session: record_outside_postcode(session, "SW1A 1AA", day=date(2026, 3, 9)))
    recorder.flush()
    with sqlite_database.read_session() as session:
        assert session.scalar(select(func.count(OutsidePostcode.id))) == 5


def test_a_full_queue_drops_rather_than_waits(caplog):
    recorder = InsightsRecorder(BrokenDatabase(), max_pending=1)
    recorder._ensure_thread = lambda: None  # no writer: the queue stays full
    with caplog.at_level(logging.WARNING):
        recorder.record(lambda session: None)
        recorder.record(lambda session: None)
    assert "queue full" in caplog.text
