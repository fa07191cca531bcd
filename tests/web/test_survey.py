"""The satisfaction survey: the closing email links to it, one question, CSRF, answered once, a comment scrubbed,
a bad token is a kind 404, and the month's figures count the answers."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from townhall import create_app, engines
from townhall.cases import close, submit
from townhall.cases.models import OutboxMessage, SurveyAnswer
from townhall.cases.survey import SurveyValues, answer_survey
from townhall.cases.validation import Submission
from townhall.performance import SATISFACTION, refresh_month, stored

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)
SURVEY_LINK = re.compile(r"/survey/([A-Za-z0-9_-]{32,43})")


@pytest.fixture(scope="module")
def app(tmp_path_factory, module_search_index):
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("survey")),
                      "TOWNHALL_SEARCH_INDEX": module_search_index, "TOWNHALL_OUTBOX_INTERVAL": 0,
                      "TOWNHALL_NOW": NOW})
    yield app
    engines.database(app).dispose()


def closed_case(app, email: str | None = "jo@example.com", language: str = "en") -> str | None:
    """Send and close a case; the survey token from the closing email (None when there was no email)."""
    fields = dict(kind="enquiry", details="Where is my bin?", name="Jo", email=email, postcode="BK1 1AA",
                  contact_preference="email" if email else "none", service_slug=None, service_title=None,
                  language=language)
    with app.app_context():
        database, casework = engines.database(), engines.casework()
        case_id = database.transaction(lambda s: submit(s, casework, Submission(**fields), NOW).case.id)
        database.transaction(lambda s: close(s, casework, case_id, staff_id=None, outcome="resolved", now=NOW))
        with database.read_session() as session:
            body = session.scalar(select(OutboxMessage.text_body).where(OutboxMessage.case_id == case_id,
                                                                        OutboxMessage.kind == "closure"))
            invited = session.scalar(select(SurveyAnswer).where(SurveyAnswer.case_id == case_id))
    if email is None:
        assert body is None and invited is None
        return None
    found = SURVEY_LINK.search(body)
    assert found and invited is not None and found.group(1) == invited.token
    question = {"en": "How satisfied are you with how we dealt with this?",
                "cy": "Pa mor fodlon ydych chi â'r ffordd y gwnaethom ddelio â hyn?"}[language]
    assert question in body
    return found.group(1)


def token_of(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_closing_email_links_to_one_question_with_five_points(app):
    survey = closed_case(app)
    client = app.test_client()
    page = text(client.get(f"/survey/{survey}"))
    assert "How satisfied are you with how we dealt with this?" in page
    assert page.count('type="radio" id="score-') == 5 and 'name="comment"' in page
    block = client.get(f"/survey/{survey}", headers={"HX-Request": "true"})
    assert block.status_code == 200 and "<html" not in text(block) and 'name="score"' in text(block)


def test_a_case_without_an_email_address_gets_no_survey(app):
    assert closed_case(app, email=None) is None


def test_answer_once_with_the_comment_scrubbed(app):
    survey = closed_case(app)
    client = app.test_client()
    token = token_of(client, f"/survey/{survey}")
    missing = client.post(f"/survey/{survey}", data={"csrf_token": token, "comment": "ok"})
    assert missing.status_code == 400 and "Select how satisfied you are" in text(missing)
    assert 'href="#score-5"' in text(missing)
    sent = client.post(f"/survey/{survey}", data={"csrf_token": token, "score": "4",
                                                  "comment": "Quick, thanks. Ring me on 07700 900123 or jo@example.com"},
                       headers={"HX-Request": "true"})
    assert sent.status_code == 200 and "Thank you for your answer" in text(sent) and "<html" not in text(sent)
    again = client.post(f"/survey/{survey}", data={"csrf_token": token, "score": "1"})
    assert "You have already answered" in text(again)
    assert "You have already answered" in text(client.get(f"/survey/{survey}"))
    with app.app_context():
        with engines.database().read_session() as session:
            answer = session.scalar(select(SurveyAnswer).where(SurveyAnswer.token == survey))
    assert answer.score == 4 and answer.answered_on == date(2026, 11, 20)
    assert "07700" not in answer.comment and "jo@example.com" not in answer.comment and "Quick" in answer.comment


def test_the_answer_needs_the_csrf_token(app):
    survey = closed_case(app)
    refused = app.test_client().post(f"/survey/{survey}", data={"score": "5"})
    assert refused.status_code == 400
    with app.app_context():
        with engines.database().read_session() as session:
            assert session.scalar(select(SurveyAnswer.score).where(SurveyAnswer.token == survey)) is None


@pytest.mark.parametrize("token", ["nope", "x" * 43, "../../etc/passwd", "A" * 200])
def test_a_bad_or_unknown_token_is_a_kind_404(app, token):
    client = app.test_client()
    page = client.get(f"/survey/{token}")
    assert page.status_code == 404 and "Page not found" in text(page)
    assert client.post(f"/survey/{token}", data={"score": "5", "csrf_token": token_of(client, "/settings")
                                                 }).status_code == 404


def test_in_welsh(app):
    survey = closed_case(app, language="cy")
    page = app.test_client().get(f"/cy/survey/{survey}")
    assert page.status_code == 200 and '<html lang="cy"' in text(page)


def test_the_months_figures_count_the_answers(app):
    with app.app_context():
        database = engines.database()
        before = database.transaction(lambda s: refresh_month(s, date(2026, 11, 1), today=date(2026, 11, 20),
                                                              now=NOW))[SATISFACTION]
        for score in (5, 2, 4):
            survey = closed_case(app)
            database.transaction(lambda s, t=survey, n=score: answer_survey(s, t, SurveyValues(n, None),
                                                                          date(2026, 11, 20)))
        database.transaction(lambda s: refresh_month(s, date(2026, 11, 1), today=date(2026, 11, 20), now=NOW))
        with database.read_session() as session:
            figure = stored(session, [SATISFACTION])[SATISFACTION][date(2026, 11, 1)]
    assert (figure.counted, figure.met) == (before.counted + 3, before.met + 2)  # 5 and 4 are satisfied, 2 is not


@pytest.mark.parametrize("score", ["²", "٣", "４", "6", "0"])
def test_a_score_that_is_not_one_to_five_is_a_kind_error(app, score):
    """'²', Arabic-Indic and full-width digits are digits to Python's isdigit() but not to int(): never a 500."""
    survey = closed_case(app)
    client = app.test_client()
    answer = client.post(f"/survey/{survey}", data={"csrf_token": token_of(client, f"/survey/{survey}"),
                                                    "score": score})
    assert answer.status_code == 400 and "Select how satisfied you are" in text(answer)
