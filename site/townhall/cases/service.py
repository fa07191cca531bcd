"""What happens to a case: submitted or logged, acknowledged, answered, delayed, escalated, closed, tracked.

Every function takes the caller's `Session` and changes it without committing:
the caller (`Database.transaction(...)` or the web layer's request) commits the
case, its timeline, its audit entry and its queued email together, or none of
them. Time comes in as `now` (aware) or `today`, so tests pin it.

`Casework` bundles what the operations need besides the session: the loaded
standards (for the numbers), the working-day calendar, and the composer that
writes emails in the resident's language. The web layer builds one at start-up.

Emails are queued whenever the case has an email address, through `casework.compose(kind, case,
context)`; the context holds ``due`` (`DueDates`, with the skipped days) for "acknowledgement",
``new_date`` and ``reason`` for "delay", and ``outcome`` for "closure". The emails: the acknowledgement
(with the reply date) when a case is acknowledged, which for the web form is at
once, since the confirmation page and email are the acknowledgement; the answer;
the delay notice with the new date; and the closure.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..content.models import Standard
from ..places.errors import NotAPostcode
from ..places.postcodes import clean as clean_postcode
from ..text import N_
from .audit import audit
from .deadlines import DueDates, due_dates, standards_by_id
from .mail import ACKNOWLEDGEMENT, ANSWER, CLOSURE, DELAY, Composer, plain_composer
from .models import (
    CHANNELS,
    COMPLAINT_OUTCOMES,
    OPEN_STATUSES,
    OTHER_OUTCOMES,
    SIZES,
    STATUSES,
    Case,
    CaseEvent,
)
from .outbox import DEFAULT_DOMAIN, queue_email
from .references import DEFAULT_PREFIX, new_reference
from .references import normalise as normalise_reference
from .survey import invite
from .validation import Submission, clean_text
from .workingdays import LONDON, WorkingCalendar

REFERENCE_TRIES = 8
STAFF_CHANNELS = ("letter", "email", "phone", "visit")
SPOKEN = ("phone", "visit")


# -- errors as values ---------------------------------------------------------------------------

class CaseError(Exception):
    """A staff action that cannot be done as asked; `message` is plain English (N_), `field` the form field."""

    status = 400

    def __init__(self, message: str, field: str | None = None, **params: Any):
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params


class CaseNotFound(CaseError):
    status = 404


class ActionNotAllowed(CaseError):
    """The case is not in a state for this (answering a closed case, escalating an enquiry)."""

    status = 409


@dataclass(frozen=True)
class Casework:
    """The rules the operations follow: standards, calendar, email wording."""

    standards: Mapping[str, Standard]
    calendar: WorkingCalendar
    compose: Composer = plain_composer
    mail_domain: str = DEFAULT_DOMAIN
    reference_prefix: str = DEFAULT_PREFIX  # the council's two letters (content/council.yaml)

    @classmethod
    def build(cls, standards: Iterable[Standard] | Mapping[str, Standard], calendar: WorkingCalendar,
              compose: Composer = plain_composer, mail_domain: str = DEFAULT_DOMAIN,
              reference_prefix: str = DEFAULT_PREFIX) -> Casework:
        return cls(standards_by_id(standards), calendar, compose, mail_domain, reference_prefix)

    def due(self, kind: str, stage: int | None, received_at: datetime, channel: str) -> DueDates:
        return due_dates(kind, stage, received_at, self.standards, self.calendar, channel)


@dataclass(frozen=True)
class Submitted:
    """A stored case and how its dates were worked out (for the confirmation page)."""

    case: Case
    due: DueDates

    @property
    def reference(self) -> str:
        return self.case.reference


# -- new cases ----------------------------------------------------------------------------------

def submit(session: Session, casework: Casework, submission: Submission, now: datetime, *,
           submission_key: str | None = None) -> Submitted:
    """Store a web form's case, acknowledged at once (the confirmation page and email), with its email queued.

    `submission_key` is the form's own random key (made when the resident
    reached "Check your answers"): the same key again, from a double click or a
    resent form, gives back the case it already made instead of a second one.
    """
    _require_aware(now)
    if submission_key:
        existing = find_submitted(session, submission_key)
        if existing is not None:
            return Submitted(existing, casework.due(existing.kind, existing.stage, existing.received_at,
                                                    existing.channel))
    return _open_case(session, casework, submission, channel="web", received_at=now, now=now,
                      acknowledged=True, staff_id=None, submission_key=submission_key)


def confirmation(session: Session, casework: Casework, reference: str) -> Submitted | None:
    """A case just sent, with its dates worked out again, for its confirmation page.

    Only for a reference the caller already trusts (the web layer keeps it in
    the signed session of the browser that sent the form): this says whether a
    reference exists, which a resident typing one must never learn.
    """
    case = session.scalar(select(Case).where(Case.reference == reference))
    if case is None:
        return None
    return Submitted(case, casework.due(case.kind, case.stage, case.received_at, case.channel))


def find_submitted(session: Session, submission_key: str) -> Case | None:
    """The case a form with this key already made, if any (see `submit`)."""
    return session.scalar(select(Case).where(Case.submission_key == submission_key))


def log_contact(session: Session, casework: Casework, submission: Submission, *, channel: str,
                received_on: date, staff_id: int, now: datetime, received_time: time | None = None) -> Submitted:
    """Staff record a letter, email, phone call or visit, with the day it reached us.

    Dates count from that day (a letter that sat in the post room still counts
    from its arrival). Calls and visits are acknowledged by the conversation
    itself; letters and emails wait for `acknowledge`.
    """
    _require_aware(now)
    if channel not in STAFF_CHANNELS:
        raise CaseError(N_("Select how the contact reached us"), field="channel")
    today = now.astimezone(LONDON).date()
    if received_on > today:
        raise CaseError(N_("The date received must be today or in the past"), field="received_on")
    if received_on < today - timedelta(days=366):
        raise CaseError(N_("The date received must be within the last year"), field="received_on")
    received_at = datetime.combine(received_on, received_time or time(12, 0), LONDON).astimezone(UTC)
    submitted = _open_case(session, casework, submission, channel=channel, received_at=received_at, now=now,
                           acknowledged=channel in SPOKEN, staff_id=staff_id)
    audit(session, staff_id=staff_id, action="log_contact", target=_target(submitted.case), now=now,
          detail=f"kind={submission.kind} channel={channel}")
    return submitted


def _open_case(session: Session, casework: Casework, submission: Submission, *, channel: str,
               received_at: datetime, now: datetime, acknowledged: bool, staff_id: int | None,
               stage_one: Case | None = None, submission_key: str | None = None) -> Submitted:
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}")
    stage = submission.stage if submission.kind == "complaint" else None
    due = casework.due(submission.kind, stage, received_at, channel)
    case = Case(
        kind=submission.kind, stage=stage, stage_one_id=stage_one.id if stage_one else None,
        service_slug=submission.service_slug, service_title=submission.service_title, channel=channel,
        received_at=received_at, language=submission.language, details=submission.details,
        desired_outcome=submission.desired_outcome, format_requested=submission.format_requested,
        format_language=submission.format_language, format_details=submission.format_details,
        name=submission.name, email=submission.email, phone=submission.phone, postcode=submission.postcode,
        address=submission.address, contact_preference=submission.contact_preference,
        access_needs=submission.access_needs, status="received",
        acknowledge_by=due.acknowledge_by, answer_by=due.answer_by, submission_key=submission_key,
    )
    case.events.append(CaseEvent(kind="received", at=received_at, staff_id=staff_id))
    _insert_with_reference(session, case, casework.reference_prefix)
    if acknowledged:
        _acknowledge(session, casework, case, now=now, staff_id=staff_id, note=None, due=due)
    return Submitted(case, due)


def _insert_with_reference(session: Session, case: Case, prefix: str) -> None:
    """Give `case` a fresh reference and insert it; on the (rare) clash, another reference.

    A savepoint keeps the clash from undoing the rest of the transaction.
    """
    for _ in range(REFERENCE_TRIES):
        case.reference = new_reference(prefix)
        try:
            with session.begin_nested():
                session.add(case)
                session.flush()
            return
        except IntegrityError as error:
            if not _is_reference_clash(error):
                raise
    raise RuntimeError(f"no unused reference after {REFERENCE_TRIES} tries")


def _is_reference_clash(error: IntegrityError) -> bool:
    text = str(error.orig).lower()
    return "uq_cases_reference" in text or "cases.reference" in text


# -- staff actions --------------------------------------------------------------------------------

def get_case(session: Session, case_id: int, *, for_update: bool = False) -> Case:
    """The case with its timeline, or CaseNotFound. `for_update` locks the row (PostgreSQL) for an action."""
    query = select(Case).where(Case.id == case_id).options(selectinload(Case.events))
    if for_update:
        query = query.with_for_update()
    case = session.scalar(query)
    if case is None:
        raise CaseNotFound(N_("There is no case with that number"))
    return case


def acknowledge(session: Session, casework: Casework, case_id: int, *, staff_id: int, now: datetime,
                note: str | None = None) -> Case:
    """Record that we told the resident we have their letter or email (and email them if we can)."""
    case = _open_for_action(session, case_id, allowed=("received",),
                            message=N_("This case has already been acknowledged"))
    _acknowledge(session, casework, case, now=now, staff_id=staff_id, note=_note(note))
    audit(session, staff_id=staff_id, action="acknowledge", target=_target(case), now=now)
    return case


def _acknowledge(session: Session, casework: Casework, case: Case, *, now: datetime, staff_id: int | None,
                 note: str | None, due: DueDates | None = None) -> None:
    case.status = "acknowledged"
    case.acknowledged_at = now
    event = _event(session, case, "acknowledged", now, staff_id, note=note)
    if due is None:  # worked out again, so the email can name the days skipped as the confirmation page did
        due = casework.due(case.kind, case.stage, case.received_at, case.channel)
    _notify(session, casework, case, ACKNOWLEDGEMENT, event, now, {"due": due})


def answer(session: Session, casework: Casework, case_id: int, *, staff_id: int, text: str,
           now: datetime) -> Case:
    """Record the answer; it shows on the track page and goes by email when we have an address."""
    text = clean_text(text, multiline=True)
    if not text:
        raise CaseError(N_("Enter your answer"), field="answer")
    if len(text) > SIZES["answer_text"]:
        raise CaseError(N_("The answer must be 10,000 characters or fewer"), field="answer")
    case = _open_for_action(session, case_id, allowed=("received", "acknowledged", "answered"),
                            message=N_("This case is closed. Reopen it by logging a new contact"))
    case.answer_text = text
    case.answered_at = now
    case.acknowledged_at = case.acknowledged_at or now  # an answer also tells them we have it
    case.status = "answered"
    event = _event(session, case, "answered", now, staff_id)
    _notify(session, casework, case, ANSWER, event, now, {})
    audit(session, staff_id=staff_id, action="answer", target=_target(case), now=now)
    return case


def set_new_date(session: Session, casework: Casework, case_id: int, *, staff_id: int, new_date: date,
                 reason: str, now: datetime) -> Case:
    """Promise a later answer date, with the reason the resident will read (Customer Service Excellence 5.2)."""
    reason = clean_text(reason)
    if not reason:
        raise CaseError(N_("Enter the reason for the new date"), field="reason")
    if len(reason) > SIZES["revised_reason"]:
        raise CaseError(N_("The reason must be 500 characters or fewer"), field="reason")
    case = _open_for_action(session, case_id, allowed=("received", "acknowledged"),
                            message=N_("A new date can only be set before the case is answered"))
    today = now.astimezone(LONDON).date()
    current = case.due_answer_by
    if new_date <= today or (current and new_date <= current):
        raise CaseError(N_("The new date must be after today and after the date we gave before"),
                        field="new_date")
    if new_date > today + timedelta(days=366):
        raise CaseError(N_("The new date must be within a year"), field="new_date")
    case.revised_answer_by = new_date
    case.revised_reason = reason
    event = _event(session, case, "new_date", now, staff_id, note=reason, new_date=new_date)
    _notify(session, casework, case, DELAY, event, now, {"new_date": new_date, "reason": reason})
    audit(session, staff_id=staff_id, action="set_new_date", target=_target(case), now=now,
          detail=f"new_date={new_date.isoformat()}")
    return case


def close(session: Session, casework: Casework, case_id: int, *, staff_id: int, outcome: str, now: datetime,
          note: str | None = None) -> Case:
    """Close with an outcome: upheld, partly upheld or not upheld for complaints; resolved and so on otherwise."""
    case = _open_for_action(session, case_id, allowed=OPEN_STATUSES, message=N_("This case is already closed"))
    allowed = COMPLAINT_OUTCOMES if case.kind == "complaint" else OTHER_OUTCOMES
    if outcome not in allowed:
        raise CaseError(N_("Select the outcome"), field="outcome")
    case.status = "closed"
    case.closed_at = now
    case.outcome = outcome
    event = _event(session, case, "closed", now, staff_id, note=_note(note))
    # The closing email asks the one survey question; without an email address there is nowhere to ask it.
    survey_token = invite(session, case, now.astimezone(LONDON).date()) if case.email else None
    _notify(session, casework, case, CLOSURE, event, now, {"outcome": outcome, "survey_token": survey_token})
    audit(session, staff_id=staff_id, action="close", target=_target(case), now=now, detail=f"outcome={outcome}")
    return case


def escalate(session: Session, casework: Casework, case_id: int, *, staff_id: int, now: datetime,
             channel: str = "phone", details: str | None = None) -> Submitted:
    """Open stage 2 of a stage 1 complaint, at the resident's request by phone, letter, email or visit."""
    if channel not in STAFF_CHANNELS:
        raise CaseError(N_("Select how the contact reached us"), field="channel")
    stage_one = get_case(session, case_id, for_update=True)
    submitted = _open_stage_two(session, casework, stage_one, details=clean_text(details, multiline=True),
                                desired_outcome=None, channel=channel, now=now, staff_id=staff_id)
    audit(session, staff_id=staff_id, action="escalate", target=_target(stage_one), now=now,
          detail=f"stage_two=case:{submitted.case.id}")
    return submitted


def request_stage_two(session: Session, casework: Casework, *, reference: str, email_or_postcode: str,
                      details: str, desired_outcome: str | None, now: datetime) -> Submitted | None:
    """A resident asks for stage 2 on the web. None when the reference and email/postcode do not match.

    Once they match, the resident has shown it is their complaint, so a case
    that is not a stage 1 complaint gets a plain answer (ActionNotAllowed), and
    a second request returns the stage 2 already open.
    """
    stage_one = _find_for_resident(session, reference, email_or_postcode, casework.reference_prefix)
    if stage_one is None:
        return None
    existing = session.scalar(select(Case).where(Case.stage_one_id == stage_one.id))
    if existing is not None:
        return Submitted(existing, casework.due("complaint", 2, existing.received_at, existing.channel))
    details = clean_text(details, multiline=True)[: SIZES["details"]]
    desired_outcome = clean_text(desired_outcome, multiline=True)[: SIZES["desired_outcome"]] or None
    return _open_stage_two(session, casework, stage_one, details=details, desired_outcome=desired_outcome,
                           channel="web", now=now, staff_id=None)


def _open_stage_two(session: Session, casework: Casework, stage_one: Case, *, details: str,
                    desired_outcome: str | None, channel: str, now: datetime, staff_id: int | None) -> Submitted:
    if stage_one.kind != "complaint" or stage_one.stage != 1:
        raise ActionNotAllowed(N_("Only a stage 1 complaint can go to stage 2"))
    if stage_one.personal_data_removed_at is not None:
        raise ActionNotAllowed(N_("This complaint was closed too long ago to go to stage 2"))
    if session.scalar(select(Case.id).where(Case.stage_one_id == stage_one.id)) is not None:
        raise ActionNotAllowed(N_("This complaint is already at stage 2"))
    submission = Submission(
        kind="complaint", stage=2, language=stage_one.language, details=details or stage_one.details,
        service_slug=stage_one.service_slug, service_title=stage_one.service_title,
        desired_outcome=desired_outcome or stage_one.desired_outcome, name=stage_one.name,
        email=stage_one.email, phone=stage_one.phone, postcode=stage_one.postcode, address=stage_one.address,
        contact_preference=stage_one.contact_preference, access_needs=stage_one.access_needs,
    )
    submitted = _open_case(session, casework, submission, channel=channel, received_at=now, now=now,
                           acknowledged=channel in ("web", *SPOKEN), staff_id=staff_id, stage_one=stage_one)
    _event(session, stage_one, "escalated", now, staff_id, related=submitted.case)
    return submitted


def _open_for_action(session: Session, case_id: int, *, allowed: Iterable[str], message: str) -> Case:
    case = get_case(session, case_id, for_update=True)
    if case.status not in allowed:
        raise ActionNotAllowed(message)
    if case.personal_data_removed_at is not None:
        raise ActionNotAllowed(N_("This case's personal details have been removed"))
    return case


def _event(session: Session, case: Case, kind: str, now: datetime, staff_id: int | None, *,
           note: str | None = None, new_date: date | None = None, related: Case | None = None) -> CaseEvent:
    event = CaseEvent(kind=kind, at=now, staff_id=staff_id, public_note=note, new_date=new_date,
                      related_case_id=related.id if related else None)
    case.events.append(event)
    session.flush()
    return event


def _note(note: str | None) -> str | None:
    text = clean_text(note, multiline=True)
    if len(text) > SIZES["public_note"]:
        raise CaseError(N_("The note must be 1,000 characters or fewer"), field="note")
    return text or None


def _notify(session: Session, casework: Casework, case: Case, kind: str, event: CaseEvent, now: datetime,
            context: Mapping[str, Any]) -> None:
    """Queue the email about `event`, in this transaction, when the case has an address to send to."""
    if not case.email:
        return
    composed = casework.compose(kind, case, context)
    if composed is None:
        return
    queue_email(session, recipient=case.email, subject=composed.subject, text=composed.text,
                html=composed.html, language=case.language, kind=kind, now=now, case_id=case.id,
                idempotency_key=f"case-{case.id}-event-{event.id}-{kind}", domain=casework.mail_domain)


def _target(case: Case) -> str:
    return f"case:{case.id}"


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")


# -- what residents see: tracking ------------------------------------------------------------------

@dataclass(frozen=True)
class PublicEvent:
    kind: str
    at: datetime
    note: str | None = None
    new_date: date | None = None
    related_reference: str | None = None


@dataclass(frozen=True)
class PublicCase:
    """What the track page may show: the resident's own case, with no staff names or internal notes."""

    reference: str
    kind: str
    stage: int | None
    service_title: str | None
    language: str
    status: str
    received_at: datetime
    acknowledge_by: date | None
    answer_by: date | None
    revised_answer_by: date | None
    revised_reason: str | None
    answered_at: datetime | None
    answer_text: str | None
    closed_at: datetime | None
    outcome: str | None
    overdue: bool  # the answer date has passed without an answer: the page apologises
    events: tuple[PublicEvent, ...]
    stage_one_reference: str | None = None
    stage_two_reference: str | None = None

    @property
    def due_answer_by(self) -> date | None:
        return self.revised_answer_by or self.answer_by


def track(session: Session, reference: str, email_or_postcode: str, today: date, *,
          prefix: str = DEFAULT_PREFIX) -> PublicCase | None:
    """The resident's timeline, or None: the same None for a wrong reference, a wrong email and a purged case.

    The web layer rate-limits calls; this function never says which part did not match.
    """
    case = _find_for_resident(session, reference, email_or_postcode, prefix)
    if case is None:
        return None
    stage_two = session.scalar(select(Case.reference).where(Case.stage_one_id == case.id))
    return PublicCase(
        reference=case.reference, kind=case.kind, stage=case.stage, service_title=case.service_title,
        language=case.language, status=case.status, received_at=case.received_at,
        acknowledge_by=case.acknowledge_by, answer_by=case.answer_by, revised_answer_by=case.revised_answer_by,
        revised_reason=case.revised_reason, answered_at=case.answered_at, answer_text=case.answer_text,
        closed_at=case.closed_at, outcome=case.outcome, overdue=is_overdue(case, today),
        events=tuple(PublicEvent(event.kind, event.at, event.public_note, event.new_date,
                                 event.related_case.reference if event.related_case else None)
                     for event in case.events),
        stage_one_reference=case.stage_one.reference if case.stage_one else None,
        stage_two_reference=stage_two,
    )


def is_overdue(case: Case, today: date) -> bool:
    """Whether the answer (or, before acknowledgement, the acknowledgement) is late today."""
    due = next_due(case)
    return due is not None and due < today


def next_due(case: Case) -> date | None:
    """The next date we owe the resident something: acknowledgement first, then the answer."""
    if case.status == "received" and case.acknowledge_by is not None:
        return case.acknowledge_by
    if case.status in ("received", "acknowledged"):
        return case.due_answer_by
    return None


def _find_for_resident(session: Session, reference: str, email_or_postcode: str, prefix: str) -> Case | None:
    normal = normalise_reference(reference, prefix)
    if normal is None:
        return None
    case = session.scalar(select(Case).where(Case.reference == normal)
                          .options(selectinload(Case.events)))
    if case is None or case.personal_data_removed_at is not None:
        return None
    return case if _proves_owner(case, email_or_postcode) else None


def _proves_owner(case: Case, typed: str) -> bool:
    """The email address (any case) or the postcode (any spacing) given with the case."""
    typed = clean_text(typed)
    if not typed:
        return False
    matched = False
    if case.email:
        matched |= hmac.compare_digest(typed.casefold().encode(), case.email.strip().casefold().encode())
    if case.postcode:
        try:
            postcode = clean_postcode(typed).postcode
        except NotAPostcode:
            postcode = ""
        matched |= hmac.compare_digest(postcode.encode(), case.postcode.encode())
    return matched


# -- what staff see: the queue -------------------------------------------------------------------

@dataclass(frozen=True)
class QueueItem:
    id: int
    reference: str
    kind: str
    stage: int | None
    service_slug: str | None
    service_title: str | None
    channel: str
    status: str
    received_at: datetime
    name: str | None
    next_due: date | None
    due_for: str | None  # "acknowledge" or "answer": what the date is for
    overdue: bool
    days_overdue: int  # calendar days past the due date (0 when not overdue)
    has_access_needs: bool


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int


def _next_due_sql() -> Any:
    return sql_case(
        (and_(Case.status == "received", Case.acknowledge_by.is_not(None)), Case.acknowledge_by),
        (Case.status.in_(("received", "acknowledged")), func.coalesce(Case.revised_answer_by, Case.answer_by)),
        else_=None,
    )


def staff_queue(session: Session, today: date, *, kind: str | None = None, service: str | None = None,
                status: str | None = None, overdue_only: bool = False, limit: int = 100,
                offset: int = 0) -> QueuePage:
    """Open cases, the soonest due first (cases owing nothing sorted last), with filters."""
    due = _next_due_sql().label("next_due")
    conditions = [Case.status.in_(OPEN_STATUSES)]
    if kind:
        conditions.append(Case.kind == kind)
    if service:
        conditions.append(Case.service_slug == service)
    if status in STATUSES:
        conditions.append(Case.status == status)
    if overdue_only:
        conditions.append(_next_due_sql() < today)
    total = session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0
    rows = session.execute(
        select(Case, due).where(*conditions)
        .order_by(due.asc().nulls_last(), Case.received_at, Case.id).limit(limit).offset(offset)
    ).all()
    items = []
    for case, next_date in rows:
        overdue = next_date is not None and next_date < today
        items.append(QueueItem(
            id=case.id, reference=case.reference, kind=case.kind, stage=case.stage,
            service_slug=case.service_slug, service_title=case.service_title, channel=case.channel,
            status=case.status, received_at=case.received_at, name=case.name, next_due=next_date,
            due_for=("acknowledge" if case.status == "received" and case.acknowledge_by else "answer")
            if next_date else None,
            overdue=overdue, days_overdue=(today - next_date).days if overdue else 0,
            has_access_needs=bool(case.access_needs or case.format_requested),
        ))
    return QueuePage(items, total)


def queue_services(session: Session) -> list[tuple[str, str]]:
    """(slug, title) of the services that open cases are about, for the queue's filter."""
    rows = session.execute(
        select(Case.service_slug, func.max(Case.service_title))
        .where(Case.status.in_(OPEN_STATUSES), Case.service_slug.is_not(None))
        .group_by(Case.service_slug).order_by(func.max(Case.service_title))
    ).all()
    return [(slug, title or slug) for slug, title in rows]


__all__ = [
    "ActionNotAllowed", "CaseError", "CaseNotFound", "Casework", "PublicCase", "PublicEvent", "QueueItem",
    "QueuePage", "Submitted", "acknowledge", "answer", "close", "confirmation", "escalate", "find_submitted", "get_case", "is_overdue",
    "log_contact", "next_due", "queue_services", "request_stage_two", "set_new_date", "staff_queue", "submit",
    "track",
]
