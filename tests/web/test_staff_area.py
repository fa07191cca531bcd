"""The staff area: one login check over every page, roles, throttled logins, the queue, the case page and its
actions (each audited, each email queued), logging contacts from other channels, page feedback and logout."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from townhall import create_app, engines
from townhall.cases import create_staff, record_feedback, set_active, submit, validate_feedback
from townhall.cases.models import AuditEntry, Case, OutboxMessage
from townhall.cases.validation import Submission

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=LONDON)
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # tests only: real accounts use the default
PASSWORD = "correct horse battery staple"
HX = {"HX-Request": "true"}
STAFF = {"casey@council.example": "customer_service", "cleo@council.example": "content",
         "ada@council.example": "admin"}


@pytest.fixture(scope="module")
def app(tmp_path_factory, module_search_index):
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("staff")),
                      "TOWNHALL_SEARCH_INDEX": module_search_index,
                      "TOWNHALL_OUTBOX_INTERVAL": 0, "TOWNHALL_NOW": NOW, "TOWNHALL_LOGIN_RATE_LIMIT": 0})
    with app.app_context():
        database = engines.database()
        for email, role in STAFF.items():
            database.transaction(lambda session, email=email, role=role: create_staff(
                session, email=email, name=email.split("@")[0].title(), role=role, password=PASSWORD, now=NOW,
                hasher=FAST))
    yield app
    engines.database(app).dispose()


def sent(app, **changes) -> Case:
    """A case sent from the web form on Monday 9 March 2026 (due Monday 23 March), unless told otherwise."""
    fields = dict(kind="enquiry", details="Where is my bin?", name="Jo Bloggs", email="jo@example.com",
                  postcode="BK1 1AA", contact_preference="email", access_needs="Interpreter: Polish",
                  service_slug="report-a-missed-bin", service_title="Report a missed bin")
    fields.update(changes)
    received = fields.pop("received", datetime(2026, 3, 9, 10, 0, tzinfo=LONDON))
    with app.app_context():
        return engines.database().transaction(
            lambda session: submit(session, engines.casework(), Submission(**fields), received).case)


class Staff:
    def __init__(self, app, email: str | None, token_of):
        self.client = app.test_client()
        self.token = token_of(self.client, "/staff/login")
        if email:
            answer = self.post("/staff/login", {"email": email, "password": PASSWORD})
            assert answer.status_code == 303, answer.get_data(as_text=True)
            self.token = token_of(self.client, "/privacy")  # a login starts a new session, with a new token

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict, **kwargs):
        return self.client.post(path, data={"csrf_token": self.token, **data}, **kwargs)


@pytest.fixture
def staff(app, csrf_token_of):
    def log_in(email: str | None = "casey@council.example") -> Staff:
        return Staff(app, email, csrf_token_of)
    return log_in


def text(response) -> str:
    return response.get_data(as_text=True)


def errors_in(response) -> dict[str, str]:
    return dict(re.findall(r'<p class="th-error-message" id="([\w-]+)-error"><span[^>]*>[^<]*</span>([^<]*)</p>',
                           text(response)))


def audit_actions(app) -> list[str]:
    with engines.database(app).read_session() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# -- one login check over everything -----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/staff/", "/staff/queue", "/staff/cases/1", "/staff/log", "/staff/feedback",
                                  "/staff/audit", "/cy/staff/queue"])
def test_every_staff_page_needs_a_login(staff, path):
    answer = staff(None).get(path)
    assert answer.status_code == 302 and "/staff/login" in answer.headers["Location"]


@pytest.mark.parametrize("path", ["/staff/logout", "/staff/log", "/staff/cases/1/answer", "/staff/cases/1/close"])
def test_every_staff_action_needs_a_login(staff, path):
    answer = staff(None).post(path, {"answer": "x"})
    assert answer.status_code == 302 and "/staff/login" in answer.headers["Location"]


def test_the_login_page_welcomes_password_managers_and_paste(staff):
    page = text(staff(None).get("/staff/login"))
    assert re.search(r'name="email"[^>]*autocomplete="username"', page)
    assert re.search(r'type="password"[^>]*autocomplete="current-password"', page)
    assert "onpaste" not in page and "You can paste it or use a password manager." in page
    assert "Is this page useful?" not in page  # no page feedback in the staff area


def test_wrong_email_and_wrong_password_get_the_same_words(staff):
    visitor = staff(None)
    wrong_password = visitor.post("/staff/login", {"email": "casey@council.example", "password": "nope nope nope"})
    wrong_email = visitor.post("/staff/login", {"email": "nobody@council.example", "password": "nope nope nope"})
    assert wrong_password.status_code == wrong_email.status_code == 400
    assert errors_in(wrong_password) == errors_in(wrong_email) == {
        "email": "Enter a correct email address and password"}
    assert 'value="casey@council.example"' in text(wrong_password) and "nope nope nope" not in text(wrong_password)


def test_an_account_slows_down_after_five_wrong_passwords(app, staff):
    with app.app_context():
        engines.database().transaction(lambda session: create_staff(
            session, email="slow@council.example", name="Slow", role="customer_service", password=PASSWORD,
            now=NOW, hasher=FAST))
    visitor = staff(None)
    for _ in range(4):
        assert visitor.post("/staff/login", {"email": "slow@council.example", "password": "wrong!"}).status_code == 400
    waiting = visitor.post("/staff/login", {"email": "slow@council.example", "password": "wrong!"})
    assert waiting.status_code == 429 and "Wait a minute, then try again." in text(waiting)
    refused = visitor.post("/staff/login", {"email": "slow@council.example", "password": PASSWORD})
    assert refused.status_code == 429 and "Too many wrong passwords for this account" in text(refused)


def test_a_client_that_keeps_failing_is_held_back(make_quick_app, csrf_token_of):
    app = make_quick_app(TOWNHALL_LOGIN_RATE_LIMIT=2, TOWNHALL_OUTBOX_INTERVAL=0)
    visitor = Staff(app, None, csrf_token_of)
    for _ in range(2):
        visitor.post("/staff/login", {"email": "x@council.example", "password": "wrong!"})
    held = visitor.post("/staff/login", {"email": "x@council.example", "password": "wrong!"})
    assert held.status_code == 429 and "too many failed attempts" in text(held)
    engines.database(app).dispose()


def test_login_starts_a_new_session_and_goes_where_it_was_asked(app, staff, csrf_token_of):
    visitor = staff(None)
    asked = visitor.get("/staff/feedback")
    target = asked.headers["Location"]
    login_page = text(visitor.get(target))
    assert 'name="next" value="/staff/feedback"' in login_page
    before = visitor.client.get_cookie("townhall_session").value
    answer = visitor.post("/staff/login", {"email": "cleo@council.example", "password": PASSWORD,
                                           "next": "/staff/feedback"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/staff/feedback"
    assert visitor.client.get_cookie("townhall_session").value != before
    elsewhere = visitor.post("/staff/login", {"email": "cleo@council.example", "password": PASSWORD,
                                              "next": "https://evil.example/"})
    assert "evil" not in elsewhere.headers.get("Location", "")


def test_roles_decide_what_each_person_can_open(staff):
    content = staff("cleo@council.example")
    assert content.get("/staff/").headers["Location"].endswith("/staff/feedback")
    assert content.get("/staff/queue").status_code == 403
    assert "You cannot use this page" in text(content.get("/staff/log"))
    assert content.get("/staff/feedback").status_code == 200
    health = content.get("/staff/content-health")  # issue 14's content health, for the content team
    assert health.status_code == 200 and "Content health" in text(health) and 'aria-current="page"' in text(health)
    casework = staff("casey@council.example")
    assert casework.get("/staff/feedback").status_code == 403 and casework.get("/staff/audit").status_code == 403
    assert casework.get("/staff/content-health").status_code == 403
    assert staff(None).get("/staff/content-health").status_code == 302  # to the login page
    admin = staff("ada@council.example")
    for path in ("/staff/queue", "/staff/log", "/staff/feedback", "/staff/audit", "/staff/content-health"):
        assert admin.get(path).status_code == 200, path


def test_staff_pages_are_never_cached(staff):
    assert staff().get("/staff/queue").headers["Cache-Control"] == "no-store"


def test_a_deactivated_account_is_logged_out_at_once(app, staff):
    with app.app_context():
        user_id = engines.database().transaction(lambda session: create_staff(
            session, email="gone@council.example", name="Gone", role="admin", password=PASSWORD, now=NOW,
            hasher=FAST).id)
    visitor = staff("gone@council.example")
    assert visitor.get("/staff/queue").status_code == 200
    with app.app_context():
        engines.database().transaction(lambda session: set_active(session, user_id, False, NOW, changed_by=None))
    assert visitor.get("/staff/queue").status_code == 302


def test_logout_ends_the_session_and_is_audited(app, staff):
    visitor = staff()
    answer = visitor.post("/staff/logout", {})
    assert answer.status_code == 303 and "signed_out=1" in answer.headers["Location"]
    assert "You have logged out." in text(visitor.get(answer.headers["Location"]))
    assert visitor.get("/staff/queue").status_code == 302
    assert audit_actions(app)[-1] == "logout"


# -- the queue ---------------------------------------------------------------------------------------------

def test_the_queue_is_sorted_by_due_date_and_says_overdue_in_words(app, staff):
    late = sent(app, details="Late one", received=datetime(2026, 3, 2, 10, 0, tzinfo=LONDON))  # due 16 March
    soon = sent(app, kind="complaint", stage=1, details="Soon one")  # 5 working days from 9 March: 16 March
    later = sent(app, details="Later one", received=datetime(2026, 3, 19, 10, 0, tzinfo=LONDON))  # 2 April
    page = text(staff().get("/staff/queue"))
    order = [ref for ref in re.findall(r'<a href="/staff/cases/\d+">(BK-[0-9A-Z-]+)</a>', page)
             if ref in (late.reference, soon.reference, later.reference)]
    assert order == [late.reference, soon.reference, later.reference]
    item = page[page.index(late.reference):page.index(later.reference)]
    assert "Overdue by 4 days" in item  # Monday 16 March to Friday 20 March
    assert "Overdue by" not in page[page.index(later.reference):page.index(later.reference) + 1500]
    assert "Access needs" in item


def test_the_queue_filters_by_kind_service_status_and_overdue(app, staff):
    complaint = sent(app, kind="complaint", stage=1, details="Filter me", service_slug="apply-for-a-blue-badge",
                     service_title="Apply for a Blue Badge")
    visitor = staff()
    by_kind = text(visitor.get("/staff/queue?kind=complaint"))
    assert complaint.reference in by_kind and "Where is my bin?" not in by_kind
    assert all(kind == "Complaint" for kind in re.findall(r"</a>: ([A-Za-z ]+)</h3>", by_kind))
    by_service = text(visitor.get("/staff/queue?service=apply-for-a-blue-badge"))
    assert complaint.reference in by_service
    assert '<option value="apply-for-a-blue-badge" selected>' in by_service
    overdue = text(visitor.get("/staff/queue?overdue=1"))
    assert complaint.reference in overdue  # sent Monday 9 March, 5 working days: due 16 March; today is the 20th
    assert "Overdue by" in overdue and "No open cases match." not in overdue
    received = text(visitor.get("/staff/queue?status=received"))
    assert complaint.reference not in received  # web cases are acknowledged at once
    odd = visitor.get("/staff/queue?kind=<script>&status=closed&service=" + "x" * 500)
    assert odd.status_code == 200


def test_filtering_with_htmx_returns_only_the_results(staff):
    answer = staff().get("/staff/queue?kind=enquiry", headers=HX)
    assert answer.status_code == 200 and "<html" not in text(answer) and 'id="queue-count"' in text(answer)


# -- a case, and what staff do with it -------------------------------------------------------------------

def test_the_case_page_shows_everything_the_resident_said(app, staff):
    case = sent(app, kind="format_request", format_requested="spoken_language", format_language="Polish",
                details="The Council Tax leaflet", desired_outcome=None, phone="07700 900 982",
                contact_preference="phone", access_needs="Interpreter: Polish")
    page = text(staff().get(f"/staff/cases/{case.id}"))
    for words in ("The Council Tax leaflet", "Jo Bloggs", "jo@example.com", "07700 900 982", "BK1 1AA",
                  "Interpreter: Polish", "An interpreter or a translation into another language: Polish",
                  "Phone", "Report a missed bin", case.reference, "Online form"):
        assert words in page, words
    assert audit_actions(app)[-1] == "view_case"


def test_an_unknown_case_is_a_404(staff):
    assert staff().get("/staff/cases/999999").status_code == 404
    assert staff().post("/staff/cases/999999/answer", {"answer": "x"}).status_code == 404
    assert staff().post("/staff/cases/1/dance", {}).status_code == 404


def test_answering_emails_the_resident_and_shows_on_the_track_page(app, staff, csrf_token_of):
    case = sent(app)
    visitor = staff()
    empty = visitor.post(f"/staff/cases/{case.id}/answer", {"answer": " "})
    assert empty.status_code == 400 and errors_in(empty) == {"answer": "Enter your answer"}
    done = visitor.post(f"/staff/cases/{case.id}/answer", {"answer": "Your bin is collected on Tuesdays."})
    assert done.status_code == 303
    page = text(visitor.get(done.headers["Location"]))
    assert "Answer sent." in page and "Your bin is collected on Tuesdays." in page
    with engines.database(app).read_session() as session:
        kinds = list(session.scalars(select(OutboxMessage.kind).where(OutboxMessage.case_id == case.id)))
    assert kinds == ["acknowledgement", "answer"]
    resident = app.test_client()
    token = csrf_token_of(resident, "/track")
    tracked = text(resident.post("/track", data={"csrf_token": token, "reference": case.reference,
                                                 "email_or_postcode": "jo@example.com"}))
    assert "Your bin is collected on Tuesdays." in tracked and "We answered" in tracked
    assert "answer" in audit_actions(app)


def test_a_new_date_needs_a_real_later_date_and_a_reason(app, staff):
    case = sent(app)
    visitor = staff()
    for fields, field, message in (
        ({"new_date-day": "31", "new_date-month": "2", "new_date-year": "2026", "reason": "x"}, "new_date",
         "The date must be a real date, like 27 3 2026"),
        ({"new_date-day": "1", "new_date-month": "3", "new_date-year": "2026", "reason": "x"}, "new_date",
         "The new date must be after today and after the date we gave before"),
        ({"new_date-day": "1", "new_date-month": "4", "new_date-year": "2026", "reason": ""}, "reason",
         "Enter the reason for the new date"),
    ):
        answer = visitor.post(f"/staff/cases/{case.id}/new-date", fields)
        assert answer.status_code == 400 and errors_in(answer)[field] == message
        assert 'id="action-new-date" open' in text(answer)  # the form the error is in is open
    done = visitor.post(f"/staff/cases/{case.id}/new-date", {"new_date-day": "1", "new_date-month": "4",
                                                             "new_date-year": "2026", "reason": "Waiting for a report"})
    assert done.status_code == 303
    with engines.database(app).read_session() as session:
        stored = session.get(Case, case.id)
        delay = session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                           OutboxMessage.kind == "delay"))
    assert stored.revised_answer_by == date(2026, 4, 1) and stored.revised_reason == "Waiting for a report"
    assert "Wednesday 1 April 2026" in delay.text_body and "Waiting for a report" in delay.text_body


def test_escalating_opens_stage_two_and_closing_needs_an_outcome(app, staff):
    case = sent(app, kind="complaint", stage=1, details="Rude staff")
    visitor = staff()
    page = text(visitor.get(f"/staff/cases/{case.id}"))
    assert "Take it to stage 2" in page and "Partly upheld" in page
    escalated = visitor.post(f"/staff/cases/{case.id}/escalate", {"channel": "letter", "details": "Still unhappy"})
    assert escalated.status_code == 303
    stage_two_page = text(visitor.get(escalated.headers["Location"]))
    assert "Stage 2 complaint" in stage_two_page and case.reference in stage_two_page
    again = visitor.post(f"/staff/cases/{case.id}/escalate", {"channel": "letter"})
    assert again.status_code == 409 and "already at stage 2" in text(again)
    no_outcome = visitor.post(f"/staff/cases/{case.id}/close", {"outcome": ""})
    assert no_outcome.status_code == 400 and errors_in(no_outcome) == {"outcome": "Select the outcome"}
    assert 'href="#outcome-upheld"' in text(no_outcome)
    closed = visitor.post(f"/staff/cases/{case.id}/close", {"outcome": "partly_upheld", "close_note": "Sorry"})
    assert closed.status_code == 303
    assert "Case closed." in text(visitor.get(closed.headers["Location"]))
    assert visitor.post(f"/staff/cases/{case.id}/close", {"outcome": "upheld"}).status_code == 409
    assert {"escalate", "close"} <= set(audit_actions(app))


# -- logging contacts from other channels ----------------------------------------------------------------

def test_a_letter_is_logged_from_the_day_it_arrived(app, staff):
    visitor = staff()
    assert 'name="received_on-day"' in text(visitor.get("/staff/log"))
    answer = visitor.post("/staff/log", {
        "channel": "letter", "received_on-day": "16", "received_on-month": "3", "received_on-year": "2026",
        "kind": "complaint", "details": "A letter about potholes", "name": "Sam Jones",
        "contact_preference": "letter", "address": "1 High Street", "postcode": "BK1 1AA", "language": "cy"})
    assert answer.status_code == 303, errors_in(answer)
    page = text(visitor.get(answer.headers["Location"]))
    assert "Contact logged as" in page and "A letter about potholes" in page and "Cymraeg" in page
    with engines.database(app).read_session() as session:
        case = session.scalar(select(Case).where(Case.details == "A letter about potholes"))
    assert case.channel == "letter" and case.status == "received" and case.language == "cy"
    assert case.acknowledge_by == date(2026, 3, 19) and case.answer_by == date(2026, 3, 23)
    assert "Record that we acknowledged it" in page
    acknowledged = visitor.post(f"/staff/cases/{case.id}/acknowledge", {"ack_note": "Letter received"})
    assert acknowledged.status_code == 303
    assert "log_contact" in audit_actions(app) and "acknowledge" in audit_actions(app)


def test_logging_explains_each_mistake_and_keeps_what_was_typed(staff):
    answer = staff().post("/staff/log", {"channel": "pigeon", "received_on-day": "1", "received_on-month": "1",
                                         "received_on-year": "2030", "kind": "enquiry", "details": "",
                                         "name": "Sam", "contact_preference": "email", "email": "sam@"})
    assert answer.status_code == 400
    errors = errors_in(answer)
    assert errors["channel"] == "Select how the contact reached us"
    assert errors["details"] == "Enter your question or request"
    assert errors["email"].startswith("Enter an email address in the correct format")
    assert 'value="sam@"' in text(answer) and 'value="2030"' in text(answer)
    future = staff().post("/staff/log", {"channel": "phone", "received_on-day": "1", "received_on-month": "1",
                                         "received_on-year": "2030", "kind": "enquiry", "details": "x",
                                         "name": "Sam", "contact_preference": "phone", "phone": "01632 960 001"})
    assert errors_in(future)["received_on"] == "The date received must be today or in the past"


# -- page feedback for the content team ------------------------------------------------------------------

def test_page_feedback_lists_the_most_no_answers_first_with_comments_newest_first(app, staff):
    with app.app_context():
        database = engines.database()
        for path, useful, went_wrong, day in (
            ("/services/a", False, "Old comment", 1), ("/services/a", False, "New comment", 15),
            ("/services/a", False, None, 16), ("/services/b", False, "Only one", 10), ("/services/b", True, None, 11),
        ):
            answer, _, _ = validate_feedback({"path": path, "useful": "yes" if useful else "no",
                                              "went_wrong": went_wrong or ""})
            database.transaction(lambda session, answer=answer, day=day: record_feedback(
                session, answer, date(2026, 3, day)))
    page = text(staff("cleo@council.example").get("/staff/feedback"))
    assert page.index("/services/a") < page.index("/services/b")
    assert page.index("New comment") < page.index("Old comment")
    assert "3 people said no" in page and "1 said yes" in page
