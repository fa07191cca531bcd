"""The privacy rules of the content team's insights, on SQLite and PostgreSQL: what is stored, and what is shown."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text

from townhall.cases.insights import (
    forget_old,
    outside_postcodes,
    record_click,
    record_outside_postcode,
    record_search,
    search_insights,
    visitor_key,
)
from townhall.cases.models import OutsidePostcode, SearchRecord

DAY = date(2026, 3, 9)
SINCE = date(2026, 1, 1)


def searched(database, query, results, *addresses, day=DAY):
    def work(session):
        for address in addresses:
            record_search(session, query, results, language="en", visitor=visitor_key("secret", day, address),
                          day=day)
    database.transaction(work)


def test_a_query_with_an_email_is_stored_without_it(database):
    searched(database, "Where is my bin jo.bloggs@example.com", 0, "203.0.113.1")
    with database.read_session() as session:
        (row,) = session.scalars(select(SearchRecord)).all()
        assert row.query == "where is my bin [email removed]"
        dump = " ".join(str(value) for value in session.execute(text("SELECT * FROM search_records")).one())
    assert "example.com" not in dump and "jo.bloggs" not in dump
    assert "203.0.113.1" not in dump  # no address stored, only the day's keyed hash


def test_a_query_is_shown_only_once_three_different_visitors_used_it(database):
    searched(database, "Bulky waste sofa", 0, "203.0.113.1", "203.0.113.2")
    searched(database, "bulky waste sofa!", 0, "203.0.113.2")  # the same visitor again: still two
    with database.read_session() as session:
        assert search_insights(session, since=SINCE).nothing_found == []
    searched(database, "BULKY  waste sofa", 0, "203.0.113.3")
    with database.read_session() as session:
        report = search_insights(session, since=SINCE)
    (row,) = report.nothing_found
    assert (row.query, row.searches, row.visitors) == ("bulky waste sofa", 4, 3)


def test_one_visitor_on_three_days_is_never_three_visitors(database):
    """Keys change daily: one person searching for their own name on three days must not be shown."""
    for day in (date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11)):
        searched(database, "jo bloggs 12 acacia avenue", 0, "203.0.113.7", day=day)
    searched(database, "jo bloggs 12 acacia avenue", 0, "203.0.113.8", day=date(2026, 3, 11))
    with database.read_session() as session:
        assert search_insights(session, since=SINCE).nothing_found == []


def test_searches_nobody_followed(database):
    searched(database, "parking permit", 12, "203.0.113.1", "203.0.113.2", "203.0.113.3")
    searched(database, "missed bin", 8, "203.0.113.1", "203.0.113.2", "203.0.113.3")
    database.transaction(lambda session: record_click(session, "Missed bin", day=DAY))
    with database.read_session() as session:
        report = search_insights(session, since=SINCE)
    assert [row.query for row in report.nothing_clicked] == ["parking permit"]
    assert report.nothing_found == []


def test_old_searches_fall_out_of_the_period(database):
    searched(database, "snow gritting", 0, "a", "b", "c", day=date(2025, 12, 1))
    with database.read_session() as session:
        assert search_insights(session, since=SINCE).nothing_found == []
        assert len(search_insights(session, since=date(2025, 11, 1)).nothing_found) == 1


def test_outside_postcodes_are_stored_by_outward_code_only(database):
    def work(session):
        for postcode in ("SW1A 1AA", "sw1a 2aa", "M1 1AE", "That location"):
            record_outside_postcode(session, postcode, day=DAY)
    database.transaction(work)
    with database.read_session() as session:
        assert sorted(session.scalars(select(OutsidePostcode.outward))) == ["M1", "SW1A", "SW1A"]
        assert outside_postcodes(session, since=SINCE) == [("SW1A", 2), ("M1", 1)]
        dump = " ".join(str(value) for row in session.execute(text("SELECT * FROM outside_postcodes")) for value in row)
    assert "1AA" not in dump and "2AA" not in dump


def test_old_rows_are_forgotten(database):
    searched(database, "old words", 0, "a", day=date(2025, 1, 1))
    searched(database, "new words", 0, "a", day=DAY)
    database.transaction(lambda session: record_outside_postcode(session, "SW1A 1AA", day=date(2025, 1, 1)))
    assert database.transaction(lambda session: forget_old(session, DAY)) == 2
    with database.read_session() as session:
        assert [row.query for row in session.scalars(select(SearchRecord))] == ["new words"]
