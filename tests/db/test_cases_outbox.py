"""The outbox against a real SMTP server (aiosmtpd) and the demo's .eml folder, on SQLite and PostgreSQL:
every email arrives exactly once, through a mail server that is down and then up, and with senders racing."""

from __future__ import annotations

import email
import smtplib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from townhall.cases.mail import FileTransport, SmtpTransport
from townhall.cases.models import OutboxMessage
from townhall.cases.outbox import deliver_pending, outbox_status, queue_email, retry_delay, retry_now

NOW = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def queue(database, count: int, start: int = 0) -> list[str]:
    with database.session() as session:
        return [queue_email(session, recipient=f"resident{n}@example.com", subject=f"Your reference BK-{n}",
                            text=f"Plain words {n}\n", html=f"<p>Plain words {n}</p>", language="cy" if n % 2 else "en",
                            kind="acknowledgement", idempotency_key=f"test-{n}", now=NOW).message_id
                for n in range(start, start + count)]


def rows(database) -> list[OutboxMessage]:
    with database.read_session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_queueing_twice_with_one_key_gives_one_message(database):
    queue(database, 1)
    queue(database, 1)
    assert len(rows(database)) == 1


def test_delivered_over_smtp_exactly_once(database, smtp_server):
    ids = queue(database, 3)
    report = deliver_pending(database, SmtpTransport.from_url(smtp_server.url), NOW)
    assert (report.sent, report.failed) == (3, 0)
    assert sorted(smtp_server.message_ids()) == sorted(ids)
    again = deliver_pending(database, SmtpTransport.from_url(smtp_server.url), NOW + timedelta(hours=1))
    assert again.claimed == 0
    assert len(smtp_server.messages) == 3
    message = smtp_server.messages[0]
    assert message.is_multipart() and message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.get_payload()] == ["text/plain", "text/html"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert all(row.sent_at == NOW and row.attempts == 1 for row in rows(database))


def test_mail_server_down_then_up_every_email_arrives_once(database, smtp_server):
    smtp_server.stop()
    ids = queue(database, 5)
    transport = SmtpTransport.from_url(smtp_server.url, timeout=5)
    down = deliver_pending(database, transport, NOW)
    assert (down.sent, down.failed) == (0, 5)
    stored = rows(database)
    assert all(row.sent_at is None and row.attempts == 1 for row in stored)
    assert all(row.last_error.startswith("ConnectionRefusedError") for row in stored)
    assert all("example.com" not in row.last_error for row in stored)  # no personal data in the error
    assert all(row.next_attempt_at == NOW + timedelta(minutes=1) for row in stored)

    smtp_server.start()
    too_soon = deliver_pending(database, transport, NOW + timedelta(seconds=30))
    assert too_soon.claimed == 0  # waiting for the back-off
    up = deliver_pending(database, transport, NOW + timedelta(minutes=2))
    assert up.sent == 5
    deliver_pending(database, transport, NOW + timedelta(hours=2))
    assert sorted(smtp_server.message_ids()) == sorted(ids)  # each once, none twice


def test_retry_now_sends_waiting_messages_at_once_when_the_server_is_back(database, smtp_server):
    smtp_server.stop()
    ids = queue(database, 3)
    transport = SmtpTransport.from_url(smtp_server.url, timeout=5)
    assert deliver_pending(database, transport, NOW).failed == 3
    smtp_server.start()
    later = NOW + timedelta(seconds=5)
    with database.session() as session:
        assert retry_now(session, later) == 3
    assert deliver_pending(database, transport, later).sent == 3
    with database.session() as session:
        assert retry_now(session, later) == 0  # nothing left waiting
    assert sorted(smtp_server.message_ids()) == sorted(ids)


def test_racing_senders_send_each_message_once(database, smtp_server):
    ids = queue(database, 40)
    start = threading.Barrier(4)

    def sender() -> None:
        start.wait()
        deliver_pending(database, SmtpTransport.from_url(smtp_server.url), NOW, batch=5)
        while deliver_pending(database, SmtpTransport.from_url(smtp_server.url), NOW, batch=5).claimed:
            pass

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(smtp_server.message_ids()) == sorted(ids)


def test_a_permanent_refusal_gives_up_at_once(database, smtp_server):
    class Refuse:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def send(self, message):
            raise smtplib.SMTPRecipientsRefused({str(message["To"]): (550, b"no such user jo@example.com")})

    queue(database, 1)
    report = deliver_pending(database, Refuse(), NOW)
    assert report.gave_up == 1
    [row] = rows(database)
    assert row.gave_up_at == NOW and row.last_error == "SMTPRecipientsRefused codes 550"
    with database.read_session() as session:
        assert outbox_status(session, NOW).given_up == 1


def test_a_lease_left_by_a_crashed_sender_expires(database, smtp_server):
    [message_id] = queue(database, 1)
    with database.session() as session:  # a sender claimed it, then died before sending
        row = session.scalar(select(OutboxMessage))
        row.claim_token, row.claimed_until, row.attempts = "dead", NOW + timedelta(minutes=5), 1
    transport = SmtpTransport.from_url(smtp_server.url)
    assert deliver_pending(database, transport, NOW).claimed == 0
    assert deliver_pending(database, transport, NOW + timedelta(minutes=6)).sent == 1
    assert smtp_server.message_ids() == [message_id]


def test_file_transport_writes_one_eml_per_message(database, tmp_path):
    ids = queue(database, 2)
    folder = tmp_path / "outbox"
    assert deliver_pending(database, FileTransport(folder), NOW).sent == 2
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2
    assert not list(folder.glob(".writing-*"))
    parsed = [email.message_from_bytes(path.read_bytes()) for path in files]
    assert sorted(str(message["Message-ID"]) for message in parsed) == sorted(ids)
    welsh = next(message for message in parsed if message["Content-Language"] == "cy")
    assert welsh["To"] == "resident1@example.com"


def test_retry_delays_grow_and_stop_growing():
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert retry_delay(20) == retry_delay(10_000) == timedelta(hours=1)


def test_gives_up_after_the_last_attempt(database):
    class Down:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def send(self, message):
            raise ConnectionRefusedError(111, "Connection refused")

    queue(database, 1)
    moment = NOW
    for _ in range(3):
        deliver_pending(database, Down(), moment, max_attempts=3)
        moment += timedelta(hours=2)
    [row] = rows(database)
    assert row.attempts == 3 and row.gave_up_at is not None and row.last_error == "ConnectionRefusedError errno 111"
    assert deliver_pending(database, Down(), moment + timedelta(days=1)).claimed == 0


@pytest.mark.parametrize("url, expected", [
    ("smtp://mail.example:2525", ("mail.example", 2525, "plain", None, None)),
    ("smtp://mail.example", ("mail.example", 25, "plain", None, None)),
    ("smtps://user:p%40ss@mail.example", ("mail.example", 465, "ssl", "user", "p@ss")),
    ("smtp+starttls://me%40council.example:secret@mail.example:587",
     ("mail.example", 587, "starttls", "me@council.example", "secret")),
])
def test_smtp_urls(url, expected):
    transport = SmtpTransport.from_url(url)
    assert (transport.host, transport.port, transport.security, transport.username, transport.password) == expected
    assert "secret" not in repr(transport) and "p@ss" not in repr(transport)


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://mail.example:notaport", "mail.example"])
def test_bad_smtp_urls_are_explained_without_the_password(url):
    with pytest.raises(ValueError, match="TOWNHALL_SMTP_URL"):
        SmtpTransport.from_url(url)


def test_bookkeeping_commits_without_waiting_for_the_disk_and_is_still_there(database):
    """The outbox's claims and marks use `durable=False`: on SQLite synchronous=NORMAL, on PostgreSQL
    synchronous_commit off, for that transaction only; what they wrote is read back like any other row."""
    from sqlalchemy import text

    queue(database, 1)
    with database.session(durable=False) as session:
        if database.is_sqlite:
            assert session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        else:
            assert session.execute(text("SHOW synchronous_commit")).scalar() == "off"
        session.execute(text("UPDATE outbox_messages SET attempts = 7"))
    with database.session() as session:
        if database.is_sqlite:
            assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL for everything else
        else:
            assert session.execute(text("SHOW synchronous_commit")).scalar() == "on"
    assert rows(database)[0].attempts == 7


def test_a_backlog_drains_without_waiting_between_full_batches(database, tmp_path):
    """After a storm each worker's sender goes again at once while whole batches are waiting (one batch per
    interval was 10 emails a second per worker), and waits only once the queue is short."""
    from townhall.cases.outbox import BATCH
    from townhall.engines.mail import OutboxSender

    queue(database, BATCH * 3 + 7)
    sender = OutboxSender(database, lambda: FileTransport(tmp_path / "outbox"), "Townhall <no-reply@example.com>",
                          interval=60)
    sender.wake()  # starts its thread, which sends a round at once and then one per interval (a minute here)
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=30)
        while datetime.now(UTC) < deadline and len(list((tmp_path / "outbox").glob("*.eml"))) < BATCH * 3 + 7:
            threading.Event().wait(0.1)
    finally:
        sender.stop()
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == BATCH * 3 + 7
