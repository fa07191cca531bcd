"""Personal data: remove it when we no longer need it, and give a person everything we hold about them.

`purge` keeps what the published performance figures need, none of it about a
person: the kind and stage, channel, service, language, the dates (received,
due, acknowledged, answered, closed), the outcome and the format asked for.
It blanks everything else a resident or a member of staff wrote: name, contact
details, address, access needs, what they told us, the answer, the reasons and
notes on the timeline, and the emails we sent (recipient, subject and bodies).
Page feedback is anonymous (and scrubbed when stored), so it is not touched.

`export` is the subject access answer: every case with that email address, its
timeline and the emails sent about it, and the staff account if there is one
(never its password hash), as a JSON-ready dict.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from .audit import audit
from .models import Case, CaseEvent, OutboxMessage, StaffUser
from .validation import clean_text

REMOVED = ""  # blanked text columns that may not be NULL
PERSONAL_CASE_FIELDS = ("name", "email", "phone", "postcode", "address", "access_needs", "desired_outcome",
                        "format_language", "format_details", "answer_text", "revised_reason")


def months_before(moment: datetime, months: int) -> datetime:
    """The same time `months` calendar months earlier (31 March less one month is 28 or 29 February)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = min(moment.day, monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def purge(session: Session, now: datetime, retention_months: int, *, staff_id: int | None = None) -> int:
    """Blank the personal details of cases closed more than `retention_months` ago; returns how many.

    A stage 1 complaint whose stage 2 is still open is kept whole until the stage 2 closes.
    """
    if retention_months < 1:
        raise ValueError("retention_months must be at least 1")
    cutoff = months_before(now, retention_months)
    open_stage_two = select(Case.stage_one_id).where(Case.stage_one_id.is_not(None), Case.status != "closed")
    ids = list(session.scalars(
        select(Case.id).where(Case.status == "closed", Case.closed_at < cutoff,
                              Case.personal_data_removed_at.is_(None), Case.id.not_in(open_stage_two))
    ))
    if not ids:
        return 0
    for start in range(0, len(ids), 500):  # keep each IN (...) list a sensible size
        chunk = ids[start:start + 500]
        session.execute(update(Case).where(Case.id.in_(chunk))
                        .values(details=REMOVED, personal_data_removed_at=now,
                                **dict.fromkeys(PERSONAL_CASE_FIELDS))
                        .execution_options(synchronize_session=False))
        session.execute(update(CaseEvent).where(CaseEvent.case_id.in_(chunk)).values(public_note=None)
                        .execution_options(synchronize_session=False))
        session.execute(update(OutboxMessage).where(OutboxMessage.case_id.in_(chunk))
                        .values(recipient=REMOVED, subject=REMOVED, text_body=REMOVED, html_body=None,
                                gave_up_at=func.coalesce(OutboxMessage.sent_at, OutboxMessage.gave_up_at, now))
                        .execution_options(synchronize_session=False))
    audit(session, staff_id=staff_id, action="purge", now=now,
          detail=f"cases={len(ids)} retention_months={retention_months}")
    return len(ids)


def export(session: Session, email: str, *, now: datetime | None = None, staff_id: int | None = None) -> dict:
    """Everything held about the person with this email address (any letter case), JSON-ready."""
    address = clean_text(email).casefold()
    cases = list(session.scalars(
        select(Case).where(func.lower(Case.email) == address).order_by(Case.received_at, Case.id)
        .options(selectinload(Case.events))
    ))
    case_ids = [case.id for case in cases]
    emails = list(session.scalars(
        select(OutboxMessage).where((func.lower(OutboxMessage.recipient) == address)
                                    | OutboxMessage.case_id.in_(case_ids or [-1]))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ))
    staff = session.scalar(select(StaffUser).where(StaffUser.email == address))
    if now is not None:
        audit(session, staff_id=staff_id, action="export", now=now, detail=f"cases={len(cases)}")
    return {
        "email": address,
        "cases": [_case(case) for case in cases],
        "emails": [_email(message) for message in emails],
        "staff_account": _staff(staff) if staff else None,
        "page_feedback": "Page feedback is anonymous: nothing in it can be linked to a person.",
    }


def _value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _case(case: Case) -> dict:
    fields = ("reference", "kind", "stage", "service_slug", "service_title", "channel", "received_at", "language",
              "details", "desired_outcome", "format_requested", "format_language", "format_details", "name",
              "email", "phone", "postcode", "address", "contact_preference", "access_needs", "status",
              "acknowledge_by", "answer_by", "revised_answer_by", "revised_reason", "acknowledged_at",
              "answered_at", "closed_at", "outcome", "answer_text")
    record = {name: _value(getattr(case, name)) for name in fields}
    record["stage_one_reference"] = case.stage_one.reference if case.stage_one else None
    record["timeline"] = [{"kind": event.kind, "at": _value(event.at), "note": event.public_note,
                           "new_date": _value(event.new_date)} for event in case.events]
    return record


def _email(message: OutboxMessage) -> dict:
    return {"to": message.recipient, "subject": message.subject, "text": message.text_body,
            "kind": message.kind, "language": message.language, "queued_at": _value(message.created_at),
            "sent_at": _value(message.sent_at), "message_id": message.message_id}


def _staff(user: StaffUser) -> dict:
    return {"email": user.email, "name": user.name, "role": user.role, "active": user.active,
            "created_at": _value(user.created_at), "last_login_at": _value(user.last_login_at)}
