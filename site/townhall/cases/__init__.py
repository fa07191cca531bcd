"""Listening: page feedback, enquiries, complaints, format requests and compliments, kept to the charter.

No Flask here. Every operation takes a SQLAlchemy `Session` (and `now`/`today`
where time matters) and returns values; the caller commits. The public API:

Database (`db`)
    `Database(url)` / `Database.for_instance(folder, url=None)`: engine and sessions
    (`.session()`, `.read_session()`, `.transaction(work)` with retry on "busy"),
    `.upgrade()` to the newest migration, `.is_current()`; `default_url(folder)`.
Records (`models`)
    `Case`, `CaseEvent`, `PageFeedback`, `StaffUser`, `AuditEntry`, `OutboxMessage`, and the
    vocabularies `KINDS`, `CHANNELS`, `STATUSES`, `COMPLAINT_OUTCOMES`, `OTHER_OUTCOMES`, `ROLES`,
    `FORMATS`, `SIZES`.
References (`references`)
    `new_reference(prefix)`, `normalise(typed, prefix) -> "BK-7KQ4-M9XR" | None`, `reference_example(prefix)`;
    the prefix is the council's two letters (`Council.prefix`, from content/council.yaml).
Working days and dates (`workingdays`, `deadlines`)
    `WorkingCalendar`, `calendar_from_content(folder)`, `load_closures(path)` (raises `ClosuresInvalid`),
    `clock_start`, `add_working_days(start, n, calendar) -> WorkingDays(day, skipped)`, `group_skipped`;
    `due_dates(kind, stage, received_at, standards, calendar, channel) -> DueDates`,
    `contact_due_dates(contact_kind, received_at, standards, calendar)` for the calculator.
"When will I hear back?" (`hearback`)
    `hear_back(contact, sent, today, standards, calendar) -> DueDates` (the same rules as the cases),
    `date_from_parts`, `date_from_iso`, `check_contact`; errors are `HearBackError`s with codes (`ERROR_CODES`).
Insights (`insights`)
    `normalise_query` (scrubbed first), `visitor_key` (daily-keyed hash), `outward_code`; `record_search`,
    `record_click`, `record_outside_postcode`; `search_insights(session, since=)` (3 visitors or more),
    `outside_postcodes(session, since=)`, `forget_old(session, today)`.
Checking forms (`validation`, `feedback`)
    `validate_submission(kind, form, services=..., language=...) -> Validation(values, errors, submission)`,
    `validate_stage_two(form, prefix=)`, `validate_track(form, prefix=)`, `validate_feedback(form)`,
    `validate_comments(form)`. Messages may hold ``%(example)s`` (a postcode) and ``%(reference_example)s``.
Cases (`service`)
    `Casework.build(standards, calendar, compose, mail_domain, reference_prefix)`, then `submit` (with a
    `submission_key`: a form sent twice makes one case; `find_submitted`), `log_contact`, `acknowledge`,
    `answer`, `set_new_date`, `escalate`, `request_stage_two`, `close`, `get_case`; `track(session, reference,
    email_or_postcode, today, prefix=) -> PublicCase | None`; `staff_queue(session, today, kind=, service=, status=,
    overdue_only=) -> QueuePage`, `queue_services`. Errors: `CaseError`, `CaseNotFound`, `ActionNotAllowed`.
Page feedback (`feedback`)
    `record_feedback(session, answer, today)` (scrubbed), `add_comments(session, id, trying_to, went_wrong)`,
    `feedback_report(session, since=...)`.
Scrubbing (`scrub`)
    `scrub(text)`: emails, UK phone numbers, postcodes and long numbers replaced by markers.
Email (`outbox`, `mail`)
    `queue_email(session, ...)`, `deliver_pending(database, transport, now)` (each worker runs it in a loop: `engines.mail`),
    `outbox_status`, `retry_now`; `SmtpTransport.from_url(url)`, `FileTransport(folder)`, `transport_from_settings`,
    `build_message`, `ComposedEmail`, `Composer`, `plain_composer`.
Staff (`staff`, `audit`)
    `create_staff`, `authenticate -> LoginResult(user, wait)`, `set_password`, `set_active`, `staff_user`,
    `list_staff`; `audit(...)`, `recent_audit(...)`.
Privacy (`privacy`)
    `purge(session, now, retention_months)`, `export(session, email)`.
"""

from .db import Database, default_url
from .deadlines import DueDates, StandardMissing, contact_due_dates, due_dates
from .feedback import (
    FeedbackAnswer,
    add_comments,
    feedback_report,
    record_feedback,
    validate_comments,
    validate_feedback,
)
from .mail import (
    ComposedEmail,
    Composer,
    FileTransport,
    SmtpTransport,
    build_message,
    plain_composer,
    transport_from_settings,
)
from .models import AuditEntry, Case, CaseEvent, OutboxMessage, PageFeedback, StaffUser
from .outbox import DeliveryReport, deliver_pending, outbox_status, queue_email, retry_now
from .privacy import export, purge
from .references import example as reference_example
from .references import new_reference
from .references import normalise as normalise_reference
from .scrub import scrub
from .service import (
    ActionNotAllowed,
    CaseError,
    CaseNotFound,
    Casework,
    PublicCase,
    QueuePage,
    Submitted,
    acknowledge,
    answer,
    close,
    confirmation,
    escalate,
    find_submitted,
    get_case,
    log_contact,
    queue_services,
    request_stage_two,
    set_new_date,
    staff_queue,
    submit,
    track,
)
from .staff import LoginResult, StaffError, authenticate, create_staff, set_active, set_password, staff_user
from .validation import Submission, Validation, validate_stage_two, validate_submission, validate_track
from .workingdays import (
    ClosuresInvalid,
    WorkingCalendar,
    add_working_days,
    calendar_from_content,
    clock_start,
    group_skipped,
    load_closures,
)

__all__ = [
    "ActionNotAllowed", "AuditEntry", "Case", "CaseError", "CaseEvent", "CaseNotFound", "Casework",
    "ClosuresInvalid", "ComposedEmail", "Composer", "Database", "DeliveryReport", "DueDates", "FeedbackAnswer",
    "FileTransport", "LoginResult", "OutboxMessage", "PageFeedback", "PublicCase", "QueuePage", "SmtpTransport",
    "StaffError", "StaffUser", "StandardMissing", "Submission", "Submitted", "Validation", "WorkingCalendar",
    "acknowledge", "add_comments", "add_working_days", "answer", "authenticate", "build_message", "calendar_from_content",
    "clock_start", "close", "confirmation", "contact_due_dates", "create_staff", "default_url",
    "deliver_pending", "due_dates", "escalate", "export", "feedback_report", "find_submitted", "get_case",
    "group_skipped",
    "load_closures", "log_contact", "new_reference", "normalise_reference", "outbox_status", "plain_composer",
    "purge", "queue_email", "queue_services", "record_feedback", "reference_example", "request_stage_two",
    "retry_now", "scrub", "set_active",
    "set_new_date", "set_password", "staff_queue", "staff_user", "submit", "track", "transport_from_settings",
    "validate_comments", "validate_feedback", "validate_stage_two", "validate_submission", "validate_track",
]
