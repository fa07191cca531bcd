"""Privacy (purge and subject access export) and page feedback, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from townhall.cases import service
from townhall.cases.feedback import add_comments, feedback_report, record_feedback, validate_comments, validate_feedback
from townhall.cases.models import AuditEntry, Case, CaseEvent, OutboxMessage, PageFeedback
from townhall.cases.privacy import export, months_before, purge
from townhall.cases.service import Casework
from townhall.cases.validation import Submission
from townhall.cases.workingdays import WorkingCalendar
from townhall.content.models import Standard, Timescale

NOW = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
CASEWORK = Casework.build([Standard(promise="x", within=Timescale(n, "working days"), id=i) for i, n in (
    ("written-acknowledge", 3), ("written-answer", 10), ("complaint-stage-1", 5),
    ("complaint-stage-2-acknowledge", 3), ("complaint-stage-2-answer", 20))], WorkingCalendar())


def new_case(database, *, email="jo@example.com", kind="enquiry", closed_at=None, outcome="resolved"):
    with database.session() as session:
        case = service.submit(session, CASEWORK, Submission(
            kind=kind, stage=1 if kind == "complaint" else None, details="My neighbour at 4 Elm Road is noisy",
            name="Jo Bloggs", email=email, phone="07700 900123", postcode="BK1 1AA", address="4 Elm Road",
            access_needs="interpreter: Polish", service_slug="report-noise-nuisance",
            service_title="Report noise nuisance"), NOW).case
        if closed_at:
            service.answer(session, CASEWORK, case.id, staff_id=None, text="Dear Jo, we visited.", now=closed_at)
            service.close(session, CASEWORK, case.id, staff_id=None, outcome=outcome, now=closed_at, note="Jo is happy")
        return case.id


def test_months_before():
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 3, 9, tzinfo=UTC), 24) == datetime(2024, 3, 9, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13).date() == date(2024, 12, 15)


def test_purge_blanks_personal_details_and_keeps_the_figures(database):
    old = new_case(database, closed_at=NOW - timedelta(days=800), kind="complaint", outcome="partly_upheld")
    recent = new_case(database, closed_at=NOW - timedelta(days=30))
    still_open = new_case(database)
    with database.session() as session:
        assert purge(session, NOW, retention_months=24) == 1
    with database.session() as session:
        assert purge(session, NOW, retention_months=24) == 0  # already done
    with database.read_session() as session:
        case = session.get(Case, old)
        for name in ("name", "email", "phone", "postcode", "address", "access_needs", "answer_text"):
            assert getattr(case, name) is None, name
        assert case.details == "" and case.personal_data_removed_at == NOW
        assert (case.kind, case.stage, case.outcome, case.service_slug, case.channel) == (
            "complaint", 1, "partly_upheld", "report-noise-nuisance", "web")
        assert case.received_at and case.closed_at and case.answer_by and case.answered_at
        assert all(event.public_note is None for event in
                   session.scalars(select(CaseEvent).where(CaseEvent.case_id == old)))
        emails = list(session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == old)))
        assert emails and all(m.recipient == "" and m.text_body == "" and m.gave_up_at for m in emails)
        assert session.get(Case, recent).name == "Jo Bloggs"
        assert session.get(Case, still_open).email == "jo@example.com"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "purge"))
        assert entry.detail == "cases=1 retention_months=24" and "Jo" not in entry.detail
        reference = case.reference
        assert service.track(session, reference, "jo@example.com", NOW.date()) is None


def test_export_gives_everything_held_about_one_person(database):
    mine = new_case(database, closed_at=NOW)
    new_case(database, email="someone@else.example")
    with database.session() as session:
        data = export(session, "JO@example.com", now=NOW)
    json.dumps(data)  # JSON-ready
    assert [case["email"] for case in data["cases"]] == ["jo@example.com"]
    case = data["cases"][0]
    assert case["access_needs"] == "interpreter: Polish" and case["answer_text"] == "Dear Jo, we visited."
    assert [event["kind"] for event in case["timeline"]] == ["received", "acknowledged", "answered", "closed"]
    assert {email["kind"] for email in data["emails"]} == {"acknowledgement", "answer", "closure"}
    assert all(email["to"] == "jo@example.com" for email in data["emails"])
    assert data["staff_account"] is None
    with database.read_session() as session:
        assert session.get(Case, mine).reference == case["reference"]


# -- page feedback -------------------------------------------------------------------------------------------

def test_feedback_is_scrubbed_before_it_is_stored(database):
    answer, errors, _ = validate_feedback({"path": "/services/report-a-missed-bin", "useful": "no",
                                           "trying_to": "Report my bin, I'm at BK1 1AA",
                                           "went_wrong": "Email me on jo@example.com or 07700 900123"})
    assert errors == {}
    with database.session() as session:
        record_feedback(session, answer, NOW.date())
    with database.read_session() as session:
        row = session.scalar(select(PageFeedback))
    assert row.trying_to == "Report my bin, I'm at [postcode removed]"
    assert row.went_wrong == "Email me on [email removed] or [phone number removed]"
    assert row.created_on == NOW.date() and row.useful is False


def test_comments_join_a_no_once_and_are_scrubbed(database):
    no, _, _ = validate_feedback({"path": "/a", "useful": "no"})
    yes, _, _ = validate_feedback({"path": "/a", "useful": "yes"})
    with database.session() as session:
        no_id, yes_id = record_feedback(session, no, NOW.date()).id, record_feedback(session, yes, NOW.date()).id
    errors, values = validate_comments({"trying_to": "Pay", "went_wrong": "x" * 1001})
    assert set(errors) == {"went_wrong"} and values["trying_to"] == "Pay"
    with database.session() as session:
        assert add_comments(session, no_id, "Pay my bill", "Write to me at jo@example.com")
        assert not add_comments(session, no_id, "again", "again")  # only once
        assert not add_comments(session, yes_id, "a", "b")  # never to a yes
        assert not add_comments(session, 999, "a", "b")
    with database.read_session() as session:
        row = session.get(PageFeedback, no_id)
    assert (row.trying_to, row.went_wrong) == ("Pay my bill", "Write to me at [email removed]")


def test_feedback_validation():
    assert validate_feedback({"path": "/x", "useful": "maybe"})[1] == {"useful": "Select yes if this page is useful"}
    assert "path" in validate_feedback({"path": "https://evil.example/", "useful": "yes"})[1]
    assert "path" in validate_feedback({"path": "//evil.example", "useful": "yes"})[1]
    assert "went_wrong" in validate_feedback({"path": "/x", "useful": "no", "went_wrong": "a" * 1001})[1]


def test_feedback_report_most_no_answers_first_with_newest_comments(database):
    with database.session() as session:
        for day, path, useful, comment in [
            (1, "/a", False, "old comment on a"), (2, "/a", False, None), (3, "/a", False, "new comment on a"),
            (1, "/b", False, "only comment on b"), (2, "/b", True, None), (2, "/c", True, None),
        ]:
            answer, _, _ = validate_feedback({"path": path, "useful": "yes" if useful else "no", "went_wrong": comment})
            record_feedback(session, answer, date(2026, 3, day))
    with database.read_session() as session:
        report = feedback_report(session)
        assert [(page.path, page.no, page.yes) for page in report] == [("/a", 3, 0), ("/b", 1, 1)]
        assert [c.went_wrong for c in report[0].comments] == ["new comment on a", "old comment on a"]
        assert [page.path for page in feedback_report(session, since=date(2026, 3, 3))] == ["/a"]
