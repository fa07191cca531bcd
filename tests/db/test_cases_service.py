"""Case operations on SQLite and PostgreSQL: submit, log, acknowledge, answer, delay, escalate, close, track,
the staff queue, and the audit entries and emails each one leaves behind."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from townhall.cases import service
from townhall.cases.models import AuditEntry, Case, OutboxMessage
from townhall.cases.service import ActionNotAllowed, CaseError, CaseNotFound, Casework
from townhall.cases.staff import create_staff
from townhall.cases.validation import Submission
from townhall.cases.workingdays import calendar_from_content
from townhall.config import PROJECT_ROOT
from townhall.content.models import Standard, Timescale

LONDON = ZoneInfo("Europe/London")
STANDARDS = [Standard(promise="x", within=Timescale(amount, "working days"), id=ident) for ident, amount in (
    ("voicemail", 1), ("written-acknowledge", 3), ("written-answer", 10), ("complaint-stage-1", 5),
    ("complaint-stage-2-acknowledge", 3), ("complaint-stage-2-answer", 20))]
MONDAY_10AM = datetime(2026, 3, 9, 10, 0, tzinfo=LONDON)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # tests only: real logins use the default


@pytest.fixture(scope="module")
def casework() -> Casework:
    return Casework.build(STANDARDS, calendar_from_content(PROJECT_ROOT / "content"))


@pytest.fixture
def staff_id(database) -> int:
    with database.session() as session:
        return create_staff(session, email="casey@brackenford.example", name="Casey", role="customer_service",
                            password="correct horse battery", now=MONDAY_10AM, hasher=FAST_HASHER).id


def enquiry(**changes) -> Submission:
    fields = dict(kind="enquiry", details="When is my bin collected?", name="Jo Bloggs", email="Jo@Example.com",
                  postcode="BK1 1AA", contact_preference="email", service_slug="report-a-missed-bin",
                  service_title="Report a missed bin")
    fields.update(changes)
    return Submission(**fields)


def submit(database, casework, submission=None, now=MONDAY_10AM):
    with database.session() as session:
        return service.submit(session, casework, submission or enquiry(), now)


def outbox(database) -> list[OutboxMessage]:
    with database.read_session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def audit_actions(database) -> list[str]:
    with database.read_session() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# -- submitting and logging ---------------------------------------------------------------------------

def test_web_submission_is_stored_acknowledged_and_emailed(database, casework):
    submitted = submit(database, casework)
    assert submitted.due.acknowledge_by == date(2026, 3, 12)
    with database.read_session() as session:
        case = service.get_case(session, submitted.case.id)
        assert case.reference == submitted.reference
        assert case.status == "acknowledged" and case.channel == "web"
        assert (case.acknowledge_by, case.answer_by) == (date(2026, 3, 12), date(2026, 3, 23))
        assert [event.kind for event in case.events] == ["received", "acknowledged"]
    [email] = outbox(database)
    assert email.kind == "acknowledgement" and email.recipient == "Jo@Example.com"
    assert submitted.reference in email.subject and "Monday 23 March 2026" in email.text_body
    assert email.case_id == submitted.case.id and email.sent_at is None
    assert audit_actions(database) == ["staff_create"] * 0  # a resident's submission is not a staff action


def test_no_email_address_means_no_email(database, casework):
    submit(database, casework, enquiry(email=None, contact_preference="phone", phone="01632 960001"))
    assert outbox(database) == []


def test_a_reference_clash_gets_another_reference(database, casework, monkeypatch):
    first = submit(database, casework)
    fresh = iter([first.reference, first.reference, "BK-3333-4444"])
    monkeypatch.setattr(service, "new_reference", lambda prefix: next(fresh))
    second = submit(database, casework)
    assert second.reference == "BK-3333-4444"
    with database.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 2


def test_a_form_sent_twice_makes_one_case(database, casework):
    first = submit_with_key(database, casework, "key-1")
    again = submit_with_key(database, casework, "key-1")
    other = submit_with_key(database, casework, "key-2")
    assert again.reference == first.reference != other.reference
    assert again.due.answer_by == first.due.answer_by
    with database.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 2
        assert service.find_submitted(session, "key-1").reference == first.reference
        assert service.find_submitted(session, "key-3") is None
    assert len(outbox(database)) == 2  # one acknowledgement each, none for the resend


def test_references_carry_the_councils_prefix(database):
    casework = Casework.build(STANDARDS, calendar_from_content(PROJECT_ROOT / "content"), reference_prefix="AB")
    reference = submit(database, casework).reference
    assert reference.startswith("AB-")
    with database.read_session() as session:
        assert service.track(session, reference[3:].lower(), "jo@example.com", date(2026, 3, 10), prefix="AB")
        assert service.track(session, reference, "jo@example.com", date(2026, 3, 10), prefix="CD") is None


def submit_with_key(database, casework, key):
    with database.session() as session:
        return service.submit(session, casework, enquiry(), MONDAY_10AM, submission_key=key)


def test_staff_log_a_letter_from_the_day_it_arrived(database, casework, staff_id):
    with database.session() as session:
        logged = service.log_contact(session, casework, enquiry(), channel="letter", received_on=date(2026, 3, 6),
                                     staff_id=staff_id, now=MONDAY_10AM)
        case_id = logged.case.id
    assert logged.case.channel == "letter" and logged.case.status == "received"
    assert logged.case.acknowledge_by == date(2026, 3, 11)  # from Fri 6 Mar: Mon, Tue, Wed
    assert outbox(database) == []  # a letter waits for staff to acknowledge it
    with database.session() as session:
        service.acknowledge(session, casework, case_id, staff_id=staff_id, now=MONDAY_10AM)
    assert [email.kind for email in outbox(database)] == ["acknowledgement"]
    assert audit_actions(database) == ["staff_create", "log_contact", "acknowledge"]


def test_a_phone_call_is_acknowledged_by_the_call(database, casework, staff_id):
    with database.session() as session:
        logged = service.log_contact(session, casework, enquiry(), channel="phone", received_on=date(2026, 3, 9),
                                     staff_id=staff_id, now=MONDAY_10AM)
    assert logged.case.status == "acknowledged" and logged.case.acknowledge_by is None


def test_logging_checks_channel_and_date(database, casework, staff_id):
    with database.session() as session:
        with pytest.raises(CaseError) as raised:
            service.log_contact(session, casework, enquiry(), channel="web", received_on=date(2026, 3, 9),
                                staff_id=staff_id, now=MONDAY_10AM)
        assert raised.value.field == "channel"
        with pytest.raises(CaseError, match="today or in the past"):
            service.log_contact(session, casework, enquiry(), channel="letter", received_on=date(2026, 3, 10),
                                staff_id=staff_id, now=MONDAY_10AM)


# -- staff actions ---------------------------------------------------------------------------------------

def test_answer_then_close(database, casework, staff_id):
    case_id = submit(database, casework).case.id
    later = MONDAY_10AM + timedelta(days=2)
    with database.session() as session:
        service.answer(session, casework, case_id, staff_id=staff_id, text="Your bin is collected on Tuesdays.",
                       now=later)
    with database.session() as session:
        with pytest.raises(CaseError):
            service.close(session, casework, case_id, staff_id=staff_id, outcome="upheld", now=later)  # not a complaint
    with database.session() as session:
        case = service.close(session, casework, case_id, staff_id=staff_id, outcome="resolved", now=later)
        assert case.status == "closed" and case.outcome == "resolved"
    assert [email.kind for email in outbox(database)] == ["acknowledgement", "answer", "closure"]
    assert "Tuesdays" in outbox(database)[1].text_body
    assert audit_actions(database)[-2:] == ["answer", "close"]
    with database.session() as session:
        with pytest.raises(ActionNotAllowed):
            service.answer(session, casework, case_id, staff_id=staff_id, text="again", now=later)


def test_empty_answer_and_missing_case(database, casework, staff_id):
    case_id = submit(database, casework).case.id
    with database.session() as session:
        with pytest.raises(CaseError) as raised:
            service.answer(session, casework, case_id, staff_id=staff_id, text="  \n ", now=MONDAY_10AM)
        assert raised.value.field == "answer"
        with pytest.raises(CaseNotFound):
            service.answer(session, casework, 999_999, staff_id=staff_id, text="x", now=MONDAY_10AM)


def test_new_date_with_a_reason_is_emailed_and_tracked(database, casework, staff_id):
    case_id = submit(database, casework).case.id
    with database.session() as session:
        with pytest.raises(CaseError) as raised:
            service.set_new_date(session, casework, case_id, staff_id=staff_id, new_date=date(2026, 3, 20),
                                 reason="Waiting for the crew", now=MONDAY_10AM)  # before the date we gave
        assert raised.value.field == "new_date"
    with database.session() as session:
        service.set_new_date(session, casework, case_id, staff_id=staff_id, new_date=date(2026, 4, 1),
                             reason="We are waiting for the waste crew's report", now=MONDAY_10AM)
    assert outbox(database)[-1].kind == "delay"
    with database.read_session() as session:
        public = service.track(session, submit_reference(database, case_id), "jo@example.com", date(2026, 3, 25))
    assert public.due_answer_by == date(2026, 4, 1)
    assert public.revised_reason == "We are waiting for the waste crew's report"
    assert not public.overdue
    assert [event.kind for event in public.events][-1] == "new_date"
    assert public.events[-1].new_date == date(2026, 4, 1)


def submit_reference(database, case_id: int) -> str:
    with database.read_session() as session:
        return session.get(Case, case_id).reference


def test_complaint_escalated_by_staff_and_closed_with_an_outcome(database, casework, staff_id):
    stage_one = submit(database, casework, enquiry(kind="complaint", stage=1)).case
    assert stage_one.answer_by == date(2026, 3, 16)
    with database.session() as session:
        stage_two = service.escalate(session, casework, stage_one.id, staff_id=staff_id, now=MONDAY_10AM,
                                     channel="phone", details="Still not fixed").case
        assert (stage_two.stage, stage_two.stage_one_id, stage_two.details) == (2, stage_one.id, "Still not fixed")
        assert stage_two.answer_by == date(2026, 4, 8)
    with database.session() as session:
        with pytest.raises(ActionNotAllowed):
            service.escalate(session, casework, stage_one.id, staff_id=staff_id, now=MONDAY_10AM)
    with database.session() as session:
        service.close(session, casework, stage_two.id, staff_id=staff_id, outcome="partly_upheld", now=MONDAY_10AM)
    with database.read_session() as session:
        public = service.track(session, stage_one.reference, "BK11AA", date(2026, 3, 10))
        assert public.stage_two_reference == stage_two.reference
        assert "escalated" in [event.kind for event in public.events]
        public_two = service.track(session, stage_two.reference, "jo@example.com", date(2026, 3, 10))
        assert public_two.stage_one_reference == stage_one.reference and public_two.outcome == "partly_upheld"


def test_enquiries_cannot_be_escalated(database, casework, staff_id):
    case_id = submit(database, casework).case.id
    with database.session() as session:
        with pytest.raises(ActionNotAllowed):
            service.escalate(session, casework, case_id, staff_id=staff_id, now=MONDAY_10AM)


def test_resident_asks_for_stage_two_on_the_web(database, casework):
    stage_one = submit(database, casework, enquiry(kind="complaint", stage=1)).case
    with database.session() as session:
        assert service.request_stage_two(session, casework, reference=stage_one.reference,
                                         email_or_postcode="someone@else.example", details="x",
                                         desired_outcome=None, now=MONDAY_10AM) is None
    with database.session() as session:
        submitted = service.request_stage_two(session, casework, reference=stage_one.reference.lower(),
                                              email_or_postcode="bk1 1aa", details="The bin is still missing",
                                              desired_outcome="Collect it", now=MONDAY_10AM)
        assert submitted.case.stage == 2 and submitted.case.status == "acknowledged"
        assert submitted.case.desired_outcome == "Collect it"
    with database.session() as session:
        again = service.request_stage_two(session, casework, reference=stage_one.reference,
                                          email_or_postcode="jo@example.com", details="again",
                                          desired_outcome=None, now=MONDAY_10AM)
        assert again.case.id == submitted.case.id
    assert [email.kind for email in outbox(database)] == ["acknowledgement", "acknowledgement"]


# -- tracking ----------------------------------------------------------------------------------------------

def test_track_needs_the_reference_and_the_email_or_postcode(database, casework):
    reference = submit(database, casework).reference
    with database.read_session() as session:
        today = date(2026, 3, 10)
        assert service.track(session, reference, "JO@example.com ", today).reference == reference
        assert service.track(session, reference.replace("-", " ").lower(), "bk11aa", today) is not None
        nobody = [service.track(session, reference, "someone@else.example", today),
                  service.track(session, "BK-3333-4444", "jo@example.com", today),
                  service.track(session, "not a reference", "jo@example.com", today),
                  service.track(session, reference, "", today)]
        assert nobody == [None, None, None, None]


def test_track_says_when_the_answer_is_late(database, casework):
    reference = submit(database, casework).reference
    with database.read_session() as session:
        assert not service.track(session, reference, "jo@example.com", date(2026, 3, 23)).overdue
        late = service.track(session, reference, "jo@example.com", date(2026, 3, 24))
    assert late.overdue and late.due_answer_by == date(2026, 3, 23)


def test_track_shows_no_staff_identity(database, casework, staff_id):
    case_id = submit(database, casework).case.id
    with database.session() as session:
        service.answer(session, casework, case_id, staff_id=staff_id, text="Done", now=MONDAY_10AM)
    with database.read_session() as session:
        public = service.track(session, submit_reference(database, case_id), "jo@example.com", date(2026, 3, 10))
    assert public.answer_text == "Done"
    assert not any(hasattr(event, "staff_id") for event in public.events)


# -- the staff queue -------------------------------------------------------------------------------------------

def test_queue_sorted_by_due_date_with_filters_and_overdue(database, casework, staff_id):
    enquiry_case = submit(database, casework).case  # answer by 23 Mar
    complaint = submit(database, casework, enquiry(kind="complaint", stage=1, service_slug="pay-your-council-tax",
                                                   service_title="Pay your Council Tax")).case  # 16 Mar
    with database.session() as session:
        letter = service.log_contact(session, casework, enquiry(), channel="letter", received_on=date(2026, 3, 2),
                                     staff_id=staff_id, now=MONDAY_10AM).case  # acknowledge by 5 Mar: overdue
        compliment = service.submit(session, casework, enquiry(kind="compliment"), MONDAY_10AM).case
        closed = service.submit(session, casework, enquiry(), MONDAY_10AM).case
        service.close(session, casework, closed.id, staff_id=staff_id, outcome="resolved", now=MONDAY_10AM)
    today = date(2026, 3, 17)
    with database.read_session() as session:
        page = service.staff_queue(session, today)
        assert [item.id for item in page.items] == [letter.id, complaint.id, enquiry_case.id, compliment.id]
        assert page.total == 4
        first = page.items[0]
        assert (first.due_for, first.next_due, first.overdue, first.days_overdue) == (
            "acknowledge", date(2026, 3, 5), True, 12)
        assert page.items[1].overdue and page.items[1].next_due == date(2026, 3, 16)
        assert not page.items[2].overdue
        assert page.items[3].next_due is None  # a compliment, acknowledged, owes no answer
        assert [i.id for i in service.staff_queue(session, today, kind="complaint").items] == [complaint.id]
        assert [i.id for i in service.staff_queue(session, today, service="pay-your-council-tax").items] == [
            complaint.id]
        assert [i.id for i in service.staff_queue(session, today, status="received").items] == [letter.id]
        assert [i.id for i in service.staff_queue(session, today, overdue_only=True).items] == [letter.id,
                                                                                                complaint.id]
        assert service.queue_services(session) == [("pay-your-council-tax", "Pay your Council Tax"),
                                                   ("report-a-missed-bin", "Report a missed bin")]


def test_the_composer_gets_the_dates_and_can_send_nothing(database, staff_id):
    seen = []

    def compose(kind, case, context):
        seen.append((kind, context))
        return None  # e.g. no template for this kind: nothing is queued

    casework = Casework.build(STANDARDS, calendar_from_content(PROJECT_ROOT / "content"), compose=compose)
    with database.session() as session:
        logged = service.log_contact(session, casework, enquiry(), channel="letter", received_on=date(2026, 12, 23),
                                     staff_id=staff_id, now=datetime(2026, 12, 23, 11, tzinfo=LONDON))
        service.acknowledge(session, casework, logged.case.id, staff_id=staff_id,
                            now=datetime(2026, 12, 23, 12, tzinfo=LONDON))
    [(kind, context)] = seen
    assert kind == "acknowledgement"
    # From Wed 23 Dec: Thu 24 (1); 25 and 28 Dec, 29-31 Dec and 1 Jan skipped; Mon 4 (2), Tue 5 Jan (3).
    assert context["due"].acknowledge_by == date(2027, 1, 5)
    assert [off.day.isoformat() for off in context["due"].skipped][:2] == ["2026-12-25", "2026-12-28"]
    assert outbox(database) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reference=st.text(max_size=80), proof=st.text(max_size=300))
def test_track_never_fails_whatever_is_typed(database, casework, reference, proof):
    """NUL bytes, emoji, huge pastes: always None or a timeline, never an error (PostgreSQL refuses NUL)."""
    with database.read_session() as session:
        assert service.track(session, reference, proof, date(2026, 3, 10)) is None


def test_stage_two_text_is_cleaned_before_it_is_stored(database, casework):
    stage_one = submit(database, casework, enquiry(kind="complaint", stage=1)).case
    with database.session() as session:
        submitted = service.request_stage_two(session, casework, reference=stage_one.reference,
                                              email_or_postcode="jo@example.com", details="Still\x00 broken\r\n",
                                              desired_outcome="x" * 9000, now=MONDAY_10AM)
        assert submitted.case.details == "Still broken" and len(submitted.case.desired_outcome) == 2000
