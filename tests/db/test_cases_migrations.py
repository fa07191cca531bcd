"""Migrations: from empty to head, back down and up again, and always matching the models.

Run on SQLite and on a real PostgreSQL server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from townhall.cases.db import Database
from townhall.cases.models import Base, Case
from townhall.performance.models import MonthlyFigure  # registers its table on Base

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TABLES = {"cases", "case_events", "page_feedback", "staff_users", "audit_entries", "outbox_messages",
          "performance_figures", "survey_answers", "search_records", "search_clicks", "outside_postcodes"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, database_url_factory):
    database = Database(database_url_factory(request.param))
    yield database
    database.dispose()


def table_names(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names()) - {"alembic_version"}


def test_empty_to_head_creates_every_table(empty_database):
    assert empty_database.current_revision() is None
    assert not empty_database.is_current()
    empty_database.upgrade()
    assert table_names(empty_database) == TABLES
    assert empty_database.current_revision() == empty_database.head_revision()
    assert empty_database.is_current()


def test_upgrade_twice_is_harmless(empty_database):
    empty_database.upgrade()
    empty_database.upgrade()
    assert empty_database.is_current()


def test_the_migrations_match_the_models(empty_database):
    """Autogenerate finds nothing to do: every column, type, index, key and constraint is in a migration."""
    empty_database.upgrade()
    with empty_database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_empty_and_up_again(empty_database):
    empty_database.upgrade()
    empty_database.downgrade("base")
    assert table_names(empty_database) == set()
    assert empty_database.current_revision() is None
    empty_database.upgrade()
    assert table_names(empty_database) == TABLES


def test_each_revision_steps_down_one_and_back_up_with_data_kept(empty_database):
    """From the previous revision: step down one revision and up again; rows in older tables survive."""
    empty_database.upgrade()
    with empty_database.session() as session:
        session.add(Case(reference="BK-7KQ4-M9XR", kind="enquiry", channel="web", received_at=NOW,
                         language="en", details="Where is my bin?", contact_preference="email",
                         status="received", answer_by=date(2026, 3, 16)))
        session.add(MonthlyFigure(measure="phone-answer", month=date(2026, 2, 1), counted=10, met=9, source="import",
                                  updated_at=NOW))
    head = empty_database.head_revision()
    empty_database.downgrade("-1")
    assert empty_database.current_revision() != head
    empty_database.upgrade()
    assert empty_database.current_revision() == head
    if empty_database.current_revision() != "0001":  # the first revision's downgrade drops the table itself
        with empty_database.read_session() as session:
            assert session.scalar(select(Case.reference)) == "BK-7KQ4-M9XR"


def test_times_come_back_aware_and_in_utc(database):
    from datetime import timedelta

    summer = datetime(2026, 7, 1, 17, 30, tzinfo=timezone(timedelta(hours=1)))  # 16:30 UTC
    with database.session() as session:
        session.add(Case(reference="BK-7KQ4-M9XC", kind="enquiry", channel="web", received_at=summer,
                         language="en", details="x", contact_preference="email", status="received"))
    with database.read_session() as session:
        stored = session.scalar(select(Case.received_at))
    assert stored == summer
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored.hour == 16


def test_naive_times_are_refused(sqlite_database):
    with pytest.raises(Exception, match="timezone-aware"):
        with sqlite_database.session() as session:
            session.add(Case(reference="BK-7KQ4-M9XD", kind="enquiry", channel="web",
                             received_at=datetime(2026, 7, 1, 17, 30), language="en", details="x",
                             contact_preference="email", status="received"))


def test_the_database_refuses_values_outside_the_vocabularies(database):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with database.session() as session:
            session.add(Case(reference="BK-7KQ4-M9XF", kind="rant", channel="web", received_at=NOW,
                             language="en", details="x", contact_preference="email", status="received"))


def test_sqlite_settings(sqlite_database):
    with sqlite_database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_migrations_ship_inside_the_package():
    from townhall.cases.db import MIGRATIONS

    assert (MIGRATIONS / "env.py").is_file()
    assert list((MIGRATIONS / "versions").glob("0001_*.py"))
