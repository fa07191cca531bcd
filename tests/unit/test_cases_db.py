"""The Database wrapper on SQLite: retries, readers beside a writer, the default location; and email building."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from townhall.cases.db import Database, default_url, is_retryable
from townhall.cases.mail import FileTransport, SmtpTransport, build_message, plain_composer, transport_from_settings
from townhall.cases.models import Case, OutboxMessage

NOW = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def locked() -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


def test_transaction_retries_when_the_database_is_busy(sqlite_database):
    calls = []

    def work(session):
        calls.append(1)
        if len(calls) < 3:
            raise locked()
        return session.execute(text("SELECT 42")).scalar()

    assert sqlite_database.transaction(work) == 42
    assert len(calls) == 3


def test_transaction_does_not_retry_real_mistakes(sqlite_database):
    calls = []

    def work(session):
        calls.append(1)
        raise IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        sqlite_database.transaction(work)
    assert len(calls) == 1
    assert is_retryable(locked()) and not is_retryable(OperationalError("x", {}, Exception("no such table")))


def test_a_reader_is_not_held_up_by_a_writer(sqlite_database):
    with sqlite_database.session() as writing:
        writing.add(Case(reference="BK-7KQ4-M9XR", kind="enquiry", channel="web", received_at=NOW, language="en",
                         details="x", contact_preference="email", status="received"))
        writing.flush()  # the write lock is held until this block ends
        with sqlite_database.read_session() as reading:
            assert reading.scalar(select(Case.reference)) is None  # sees the last commit, without waiting


def test_default_location_is_the_instance_folder(tmp_path):
    database = Database.for_instance(tmp_path / "instance")
    assert str(database.url) == default_url(tmp_path / "instance")
    assert database.url.database.endswith("instance/townhall.db") and database.is_sqlite
    database.upgrade()
    assert (tmp_path / "instance" / "townhall.db").exists() and database.is_current()
    database.dispose()
    assert Database.for_instance(tmp_path, "postgresql+psycopg://u@localhost/townhall").is_postgresql


def outbox_row(**changes) -> OutboxMessage:
    fields = dict(recipient="jo@example.com", subject="We have your enquiry: BK-7KQ4-M9XR", text_body="Hello\n",
                  html_body="<p>Hello</p>", language="cy", kind="acknowledgement", created_at=NOW,
                  message_id="<abc@brackenford.example>")
    fields.update(changes)
    return OutboxMessage(**fields)


def test_build_message_is_a_proper_rfc_5322_message():
    message = build_message(outbox_row())
    assert message["Message-ID"] == "<abc@brackenford.example>"
    assert message["Content-Language"] == "cy"
    assert message["Date"] == "Mon, 09 Mar 2026 10:00:00 +0000"
    assert message.get_body(("plain",)).get_content() == "Hello\n"
    assert message.get_body(("html",)).get_content().strip() == "<p>Hello</p>"
    assert build_message(outbox_row()).as_bytes() == message.as_bytes()  # the same bytes on a re-send
    assert not build_message(outbox_row(html_body=None)).is_multipart()


def test_plain_composer_says_the_reference_and_the_date():
    case = Case(reference="BK-7KQ4-M9XR", kind="complaint", name="Jo", answer_by=date(2026, 3, 16),
                answer_text="We are sorry.", revised_reason="Waiting for a report", revised_answer_by=None)
    acknowledgement = plain_composer("acknowledgement", case, {})
    assert acknowledgement.subject == "We have your complaint: BK-7KQ4-M9XR"
    assert "Monday 16 March 2026" in acknowledgement.text and acknowledgement.text.startswith("Dear Jo,")
    assert "We are sorry." in plain_composer("answer", case, {}).text
    assert plain_composer("something else", case, {}) is None


def test_transport_from_settings(tmp_path):
    assert isinstance(transport_from_settings("", tmp_path), FileTransport)
    assert isinstance(transport_from_settings("smtp://localhost:25", tmp_path), SmtpTransport)
