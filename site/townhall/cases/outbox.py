"""The outbox: emails are queued in the same transaction as the change they report, and sent later.

So a resident whose case is stored always gets its email, even if the mail
server is down at that moment, and an email is never sent about a change that
was rolled back.

`deliver_pending` sends what is due, from any number of processes at once:

1. **Claim** a batch in a short transaction: rows not sent, not given up, due,
   and not held by another sender's unexpired lease get this run's token and a
   lease (``claimed_until``). On PostgreSQL the rows are first picked with
   ``FOR UPDATE SKIP LOCKED``, so two senders pick different rows without
   waiting; on SQLite the claim is a conditional UPDATE under the database's
   single write lock. Either way a row is held by one sender at a time.
2. **Send** each claimed message, then at once mark it sent (only if our claim
   still stands). A crash between the server accepting a message and that mark
   means it is sent again once the lease ends: at least once, with the same
   Message-ID, never silently lost. The window is one commit wide.
   Claims and marks are bookkeeping: they commit without waiting for the disk
   (`Database.session(durable=False)`), so a storm of submissions is not slowed
   by one fsync per email sent. A process crash loses none of them; a power cut
   can lose the last few marks, and those emails go again, with the same
   Message-ID (at least once, as above).
3. **On failure** record the error's kind and SMTP code (never its text, which
   can quote the address) and try again later: 1, 2, 4... minutes, at most an
   hour apart. A permanent refusal (SMTP 5xx) or `MAX_ATTEMPTS` tries give up,
   and the row stays for staff to see.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from .db import Database
from .mail import DEFAULT_SENDER, Transport, build_message
from .models import LANGUAGES, OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
BATCH = 50
DEFAULT_DOMAIN = "townhall.invalid"  # the site passes its own (from the council's website)


class QueueError(ValueError):
    """An email that cannot be queued as given (a programming mistake, not a resident's)."""


def queue_email(session: Session, *, recipient: str, subject: str, text: str, html: str | None = None,
                language: str = "en", kind: str, idempotency_key: str, now: datetime,
                case_id: int | None = None, domain: str = DEFAULT_DOMAIN) -> OutboxMessage:
    """Add an email to the outbox in `session`'s transaction; the same key twice gives the first one back."""
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key))
    if existing is not None:
        return existing
    recipient = recipient.strip()
    if not recipient or any(character in recipient for character in "\r\n,;<>"):
        raise QueueError("an outbox recipient must be one plain email address")
    if language not in LANGUAGES:
        raise QueueError(f"language must be one of {LANGUAGES}")
    message = OutboxMessage(
        case_id=case_id, recipient=recipient, subject=" ".join(subject.split())[:200], text_body=text,
        html_body=html, language=language, kind=kind, created_at=now, next_attempt_at=now, attempts=0,
        idempotency_key=idempotency_key, message_id=_message_id(domain),
    )
    session.add(message)
    session.flush()
    return message


def _message_id(domain: str) -> str:
    """Random, stored with the row, and short enough that the header is never folded onto two lines."""
    return f"<{secrets.token_hex(16)}@{domain}>"


@dataclass
class DeliveryReport:
    """What one `deliver_pending` run did (counts only: safe to log)."""

    sent: int = 0
    failed: int = 0
    gave_up: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.failed + self.gave_up


def deliver_pending(database: Database, transport: Transport, now: datetime, *, sender: str = DEFAULT_SENDER,
                    batch: int = BATCH, max_attempts: int = MAX_ATTEMPTS, lease: timedelta = LEASE) -> DeliveryReport:
    """Send every due message once; safe to run from several processes or threads at the same time."""
    token = secrets.token_hex(16)
    claimed = database.transaction(lambda session: _claim(session, now, token, batch, lease, database, sender),
                                   durable=False)
    report = DeliveryReport()
    if not claimed:
        return report
    with transport:
        for row_id, message in claimed:
            try:
                transport.send(message)
            except (smtplib.SMTPException, OSError) as error:
                failure = error
                gave_up = database.transaction(
                    lambda session, row_id=row_id, failure=failure: _record_failure(
                        session, row_id, token, now, failure, max_attempts), durable=False)
                report.gave_up += gave_up
                report.failed += not gave_up
                continue
            database.transaction(lambda session, row_id=row_id: _mark_sent(session, row_id, token, now), durable=False)
            report.sent += 1
    if report.failed or report.gave_up:
        log.warning("outbox: %d sent, %d to retry, %d given up", report.sent, report.failed, report.gave_up)
    return report


def _claim(session: Session, now: datetime, token: str, batch: int, lease: timedelta,
           database: Database, sender: str) -> list[tuple[int, EmailMessage]]:
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.sent_at.is_(None), OutboxMessage.gave_up_at.is_(None),
                  OutboxMessage.next_attempt_at <= now,
                  or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
           .order_by(OutboxMessage.id).limit(batch))
    if database.is_postgresql:
        due = due.with_for_update(skip_locked=True)
    ids = list(session.scalars(due))
    if not ids:
        return []
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.sent_at.is_(None),
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .values(claim_token=token, claimed_until=now + lease, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.claim_token == token)
                           .order_by(OutboxMessage.id)).all()
    return [(row.id, build_message(row, sender)) for row in rows]


def _mark_sent(session: Session, row_id: int, token: str, now: datetime) -> None:
    session.execute(update(OutboxMessage)
                    .where(OutboxMessage.id == row_id, OutboxMessage.claim_token == token)
                    .values(sent_at=now, claimed_until=None, last_error=None)
                    .execution_options(synchronize_session=False))


def _record_failure(session: Session, row_id: int, token: str, now: datetime, error: BaseException,
                    max_attempts: int) -> bool:
    row = session.get(OutboxMessage, row_id)
    if row is None or row.claim_token != token:
        return False
    row.last_error = describe_error(error)
    row.claimed_until = None
    if is_permanent(error) or row.attempts >= max_attempts:
        row.gave_up_at = now
        return True
    row.next_attempt_at = now + retry_delay(row.attempts)
    return False


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8... minutes after the first, second, third... failure, never more than an hour."""
    doublings = min(max(attempts - 1, 0), 20)  # past the cap anyway; a bigger power would overflow timedelta
    return min(FIRST_RETRY * 2**doublings, LONGEST_RETRY)


def is_permanent(error: BaseException) -> bool:
    """A 5xx answer means the server will never take this message; trying again only annoys it."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def describe_error(error: BaseException) -> str:
    """The error's kind and code, never its text: server replies and refusals can quote the address."""
    parts = [type(error).__name__]
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts.append("codes " + ",".join(str(code) for code, _ in error.recipients.values()))
    elif isinstance(code, int):
        parts.append(f"code {code}")
    elif isinstance(error, OSError) and error.errno is not None:
        parts.append(f"errno {error.errno}")
    return " ".join(parts)[:300]


def retry_now(session: Session, now: datetime) -> int:
    """Make every waiting message due now (staff say the mail server is back); returns how many.

    Messages given up on stay given up: a permanent refusal is not fixed by the
    server coming back.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.gave_up_at.is_(None), OutboxMessage.next_attempt_at > now)
        .values(next_attempt_at=now).execution_options(synchronize_session=False))
    return result.rowcount or 0


@dataclass(frozen=True)
class OutboxStatus:
    """Counts for a health page: how many are waiting, how many are late, how many were given up."""

    waiting: int
    late: int  # waiting for more than 15 minutes
    given_up: int


def outbox_status(session: Session, now: datetime) -> OutboxStatus:
    waiting = OutboxMessage.sent_at.is_(None) & OutboxMessage.gave_up_at.is_(None)
    count = select(func.count()).select_from(OutboxMessage)
    return OutboxStatus(
        waiting=session.scalar(count.where(waiting)) or 0,
        late=session.scalar(count.where(waiting, OutboxMessage.created_at < now - timedelta(minutes=15))) or 0,
        given_up=session.scalar(count.where(OutboxMessage.gave_up_at.is_not(None))) or 0,
    )
