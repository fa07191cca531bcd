"""The stored records: cases and their timelines, page feedback, staff, the audit log and the outbox.

Every text column has a size, and the domain's validation enforces the same
limits first, so a long paste gets a kind message rather than a database error.
Times are stored in UTC and always come back timezone-aware (`UTCDateTime`),
whichever database is underneath; due dates are plain dates, because the
charter promises days, not hours.

The migrations under ``migrations/versions`` create exactly these tables; a test
compares the two so they cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# -- the vocabularies (stored as short strings, checked by the database too) ----

KINDS = ("enquiry", "complaint", "format_request", "compliment")
CHANNELS = ("web", "email", "letter", "phone", "visit")
LANGUAGES = ("en", "cy")
CONTACT_PREFERENCES = ("email", "phone", "letter", "none")
STATUSES = ("received", "acknowledged", "answered", "closed")
OPEN_STATUSES = ("received", "acknowledged", "answered")
COMPLAINT_OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "withdrawn")
OTHER_OUTCOMES = ("resolved", "referred", "passed_on", "withdrawn")
OUTCOMES = tuple(dict.fromkeys(COMPLAINT_OUTCOMES + OTHER_OUTCOMES))
EVENT_KINDS = ("received", "acknowledged", "answered", "new_date", "escalated", "closed")
ROLES = ("customer_service", "content", "admin")
FORMATS = ("large_print", "audio", "braille", "easy_read", "bsl", "spoken_language", "other")

# Sizes, shared with validation so the two never disagree.
SIZES = {
    "reference": 12,
    "service_slug": 100,
    "service_title": 200,
    "name": 120,
    "email": 254,
    "phone": 30,
    "postcode": 10,
    "address": 300,
    "details": 5000,
    "desired_outcome": 2000,
    "access_needs": 300,
    "format_language": 60,
    "format_details": 500,
    "answer_text": 10000,
    "revised_reason": 500,
    "public_note": 1000,
    "path": 300,
    "trying_to": 1000,
    "went_wrong": 1000,
    "submission_key": 40,
    "survey_token": 43,
    "survey_comment": 1000,
    "query": 200,
    "visitor": 16,
    "outward": 4,
}

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: tuple[str, ...], nullable: bool = False) -> CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    condition = f"{column} IN ({allowed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=column)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (no time zones) and PostgreSQL alike.

    A naive datetime is refused: guessing its zone is how "received at 4:30pm"
    quietly becomes 5:30pm in summer and moves a due date.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("times stored in the cases database must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime}


class Case(Base):
    """One enquiry, complaint (at one stage), request for another format, or compliment."""

    __tablename__ = "cases"
    __table_args__ = (
        _one_of("kind", KINDS),
        _one_of("channel", CHANNELS),
        _one_of("language", LANGUAGES),
        _one_of("status", STATUSES),
        _one_of("contact_preference", CONTACT_PREFERENCES),
        _one_of("outcome", OUTCOMES, nullable=True),
        _one_of("format_requested", FORMATS, nullable=True),
        CheckConstraint("stage IS NULL OR stage IN (1, 2)", name="stage"),
        Index("ix_cases_open_due", "status", "answer_by"),
        Index("ix_cases_email", "email"),
        Index("ix_cases_closed_at", "closed_at"),
        Index("ix_cases_submission_key", "submission_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(SIZES["reference"]), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    stage: Mapped[int | None] = mapped_column(Integer)
    stage_one_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    service_slug: Mapped[str | None] = mapped_column(String(SIZES["service_slug"]))
    service_title: Mapped[str | None] = mapped_column(String(SIZES["service_title"]))
    channel: Mapped[str] = mapped_column(String(10))
    received_at: Mapped[datetime]
    language: Mapped[str] = mapped_column(String(2), default="en")

    # What the resident told us.
    details: Mapped[str] = mapped_column(Text, default="")
    desired_outcome: Mapped[str | None] = mapped_column(Text)
    format_requested: Mapped[str | None] = mapped_column(String(20))
    format_language: Mapped[str | None] = mapped_column(String(SIZES["format_language"]))
    format_details: Mapped[str | None] = mapped_column(String(SIZES["format_details"]))

    # How to reach them, and what they need from us.
    name: Mapped[str | None] = mapped_column(String(SIZES["name"]))
    email: Mapped[str | None] = mapped_column(String(SIZES["email"]))
    phone: Mapped[str | None] = mapped_column(String(SIZES["phone"]))
    postcode: Mapped[str | None] = mapped_column(String(SIZES["postcode"]))
    address: Mapped[str | None] = mapped_column(String(SIZES["address"]))
    contact_preference: Mapped[str] = mapped_column(String(10), default="email")
    access_needs: Mapped[str | None] = mapped_column(String(SIZES["access_needs"]))

    # Where it is, and what we promised.
    status: Mapped[str] = mapped_column(String(20), default="received")
    acknowledge_by: Mapped[date | None] = mapped_column(Date)
    answer_by: Mapped[date | None] = mapped_column(Date)
    revised_answer_by: Mapped[date | None] = mapped_column(Date)
    revised_reason: Mapped[str | None] = mapped_column(String(SIZES["revised_reason"]))
    acknowledged_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    answer_text: Mapped[str | None] = mapped_column(Text)
    personal_data_removed_at: Mapped[datetime | None]
    # The web form's random key (see service.submit): a form sent twice makes one case.
    submission_key: Mapped[str | None] = mapped_column(String(SIZES["submission_key"]))

    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan", passive_deletes=True,
        foreign_keys="CaseEvent.case_id",
    )
    stage_one: Mapped[Case | None] = relationship(remote_side="Case.id", foreign_keys=[stage_one_id])

    @property
    def due_answer_by(self) -> date | None:
        """The answer date in force: the new date staff set, else the one first promised."""
        return self.revised_answer_by or self.answer_by

    @property
    def is_open(self) -> bool:
        return self.status != "closed"

    def __repr__(self) -> str:  # no personal data in logs or tracebacks
        return f"<Case {self.id} {self.reference} {self.kind} {self.status}>"


class CaseEvent(Base):
    """One step on a case's timeline; `public_note` is what the track page shows beside it."""

    __tablename__ = "case_events"
    __table_args__ = (_one_of("kind", EVENT_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    public_note: Mapped[str | None] = mapped_column(Text)
    new_date: Mapped[date | None] = mapped_column(Date)
    related_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))

    case: Mapped[Case] = relationship(back_populates="events", foreign_keys=[case_id])
    related_case: Mapped[Case | None] = relationship(foreign_keys=[related_case_id])

    def __repr__(self) -> str:
        return f"<CaseEvent {self.id} case={self.case_id} {self.kind}>"


class PageFeedback(Base):
    """An anonymous "Is this page useful?" answer; free text is scrubbed before it gets here."""

    __tablename__ = "page_feedback"
    __table_args__ = (_one_of("language", LANGUAGES), Index("ix_page_feedback_path_useful", "path", "useful"))

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(SIZES["path"]))
    useful: Mapped[bool] = mapped_column(Boolean)
    trying_to: Mapped[str | None] = mapped_column(String(SIZES["trying_to"]))
    went_wrong: Mapped[str | None] = mapped_column(String(SIZES["went_wrong"]))
    created_on: Mapped[date] = mapped_column(Date)  # the day only: a time would help link it to a visit
    language: Mapped[str] = mapped_column(String(2), default="en")


class StaffUser(Base):
    """A member of staff who works through the queue or reads feedback."""

    __tablename__ = "staff_users"
    __table_args__ = (_one_of("role", ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(SIZES["email"]), unique=True)  # stored in lower case
    name: Mapped[str] = mapped_column(String(SIZES["name"]))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<StaffUser {self.id} {self.role}>"


class AuditEntry(Base):
    """Who did what to which record, when. Ids and codes only: never a resident's details."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(60))  # "case:12", "staff:3"
    detail: Mapped[str | None] = mapped_column(String(300))


class OutboxMessage(Base):
    """An email waiting to go (or gone), written in the same transaction as the change it reports."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        _one_of("language", LANGUAGES),
        Index("ix_outbox_messages_pending", "sent_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    recipient: Mapped[str] = mapped_column(String(SIZES["email"]))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2), default="en")
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    gave_up_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} sent={self.sent_at is not None}>"


class SurveyAnswer(Base):
    """The one-question satisfaction survey a closing email links to: "How satisfied are you with how we dealt
    with this?" (1 very dissatisfied to 5 very satisfied), with an optional comment, scrubbed before it is stored.

    Made when the case closes (the token is the only key: no login); answered once. Only days are kept, and the
    case is linked only so one case has one survey; the answer holds nothing personal.
    """

    __tablename__ = "survey_answers"
    __table_args__ = (
        _one_of("language", LANGUAGES),
        CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score"),
        Index("ix_survey_answers_answered_on", "answered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(SIZES["survey_token"]), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), unique=True)
    language: Mapped[str] = mapped_column(String(2), default="en")
    sent_on: Mapped[date] = mapped_column(Date)
    answered_on: Mapped[date | None] = mapped_column(Date)
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(SIZES["survey_comment"]))

    def __repr__(self) -> str:
        return f"<SurveyAnswer {self.id} answered={self.answered_on is not None}>"
class SearchRecord(Base):
    """One search that found nothing, or found something (clicks are counted apart), for the content team.

    The words are scrubbed and normalised before they get here (`insights.normalise_query`); `visitor`
    is a keyed hash of the address and the day (a new key every day), never the address itself, and
    only there to count different visitors. The day only, not the time.
    """

    __tablename__ = "search_records"
    __table_args__ = (_one_of("language", LANGUAGES), Index("ix_search_records_query_day", "query", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    query: Mapped[str] = mapped_column(String(SIZES["query"]))
    language: Mapped[str] = mapped_column(String(2), default="en")
    results: Mapped[int] = mapped_column(Integer)
    visitor: Mapped[str] = mapped_column(String(SIZES["visitor"]))


class SearchClick(Base):
    """A result followed from a search for these (scrubbed, normalised) words. No visitor, no address."""

    __tablename__ = "search_clicks"
    __table_args__ = (Index("ix_search_clicks_query_day", "query", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    query: Mapped[str] = mapped_column(String(SIZES["query"]))


class OutsidePostcode(Base):
    """A postcode looked up that is outside the council's area: its outward code only ("SW1A"), and the day."""

    __tablename__ = "outside_postcodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    outward: Mapped[str] = mapped_column(String(SIZES["outward"]))


def utcnow() -> datetime:
    """For callers at the edge (the web layer, the CLI); the domain takes `now` as a parameter."""
    return datetime.now(UTC)


__all__ = [
    "AuditEntry", "Base", "Case", "CaseEvent", "OutboxMessage", "OutsidePostcode", "PageFeedback", "SearchClick",
    "SearchRecord", "StaffUser", "SurveyAnswer", "UTCDateTime",
]
