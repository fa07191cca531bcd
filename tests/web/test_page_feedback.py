""""Is this page useful?": Yes and No with and without htmx, the comments after No (with personal details
removed before they are stored), errors, limits, Welsh, and the content team's view of it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from townhall import create_app, engines
from townhall.cases.models import PageFeedback

HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def app(tmp_path_factory, module_search_index):
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("feedback")),
                      "TOWNHALL_SEARCH_INDEX": module_search_index,
                      "TOWNHALL_OUTBOX_INTERVAL": 0, "TOWNHALL_TODAY": "2026-03-09"})
    yield app
    engines.database(app).dispose()


@pytest.fixture
def visitor(app, public_token_of):
    client = app.test_client()
    client.token = public_token_of(client, "/a-to-z")
    return client


def rows(app) -> list[PageFeedback]:
    with engines.database(app).read_session() as session:
        return list(session.scalars(select(PageFeedback).order_by(PageFeedback.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


def test_yes_without_javascript_is_stored_and_says_thank_you(app, visitor):
    before = len(rows(app))
    answer = visitor.post("/feedback", data={"csrf_token": visitor.token, "path": "/a-to-z", "useful": "yes"})
    assert answer.status_code == 303 and "/feedback/thanks" in answer.headers["Location"]
    page = text(visitor.get(answer.headers["Location"]))
    assert "Thank you for your feedback" in page and 'href="/a-to-z"' in page
    stored = rows(app)[-1]
    assert len(rows(app)) == before + 1
    assert (stored.path, stored.useful, stored.language, stored.trying_to) == ("/a-to-z", True, "en", None)
    assert str(stored.created_on) == "2026-03-09"


def test_yes_with_htmx_swaps_in_place_announces_and_moves_focus(visitor):
    answer = visitor.post("/feedback", data={"csrf_token": visitor.token, "path": "/a-to-z", "useful": "yes"},
                          headers=HX)
    assert answer.status_code == 200
    box = text(answer)
    assert box.lstrip().startswith('<aside class="th-feedback" id="page-feedback"')
    assert 'data-announce="Thank you for your feedback."' in box and "data-focus-here" in box


def test_no_then_comments_without_javascript_and_personal_details_are_removed(app, visitor):
    answer = visitor.post("/feedback", data={"csrf_token": visitor.token, "path": "/services/report-a-missed-bin",
                                             "useful": "no"})
    assert answer.status_code == 303 and "/feedback/comments?token=" in answer.headers["Location"]
    stored = rows(app)[-1]
    assert stored.useful is False and stored.trying_to is None  # the "No" counts even if nothing more is typed
    page = visitor.get(answer.headers["Location"])
    html = text(page)
    assert "What were you trying to do?" in html and "Do not include personal information" in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    sent = visitor.post("/feedback/comments", data={
        "csrf_token": visitor.token, "path": "/services/report-a-missed-bin", "token": token,
        "trying_to": "Report my bin at BK1 1AA", "went_wrong": "Email me at jo.bloggs@example.com or 07700 900123"})
    assert sent.status_code == 303 and "/feedback/thanks" in sent.headers["Location"]
    stored = rows(app)[-1]
    assert stored.trying_to == "Report my bin at [postcode removed]"
    assert stored.went_wrong == "Email me at [email removed] or [phone number removed]"
    with engines.database(app).read_session() as session:
        everything = " ".join(str(value) for row in session.scalars(select(PageFeedback))
                              for value in (row.trying_to, row.went_wrong))
    assert "jo.bloggs@example.com" not in everything and "example.com" not in everything


def test_no_with_htmx_shows_the_questions_in_place_with_focus(visitor):
    answer = visitor.post("/feedback", data={"csrf_token": visitor.token, "path": "/a-to-z", "useful": "no"},
                          headers=HX)
    box = text(answer)
    assert answer.status_code == 200 and "<html" not in box
    assert 'id="page-feedback-heading" tabindex="-1" data-focus-here' in box
    assert 'hx-post="/feedback/comments"' in box
    token = re.search(r'name="token" value="([^"]+)"', box).group(1)
    thanks = visitor.post("/feedback/comments", data={"csrf_token": visitor.token, "path": "/a-to-z", "token": token,
                                                      "went_wrong": "Could not find it"}, headers=HX)
    assert "data-announce" in text(thanks)


def test_comments_join_their_own_answer_once_and_a_forged_token_writes_nothing(app, visitor):
    answer = visitor.post("/feedback", data={"csrf_token": visitor.token, "path": "/a-to-z", "useful": "no"},
                          headers=HX)
    token = re.search(r'name="token" value="([^"]+)"', text(answer)).group(1)
    for words in ("first", "second"):
        visitor.post("/feedback/comments", data={"csrf_token": visitor.token, "path": "/a-to-z", "token": token,
                                                 "went_wrong": words})
    assert rows(app)[-1].went_wrong == "first"
    forged = visitor.post("/feedback/comments", data={"csrf_token": visitor.token, "path": "/a-to-z",
                                                      "token": "1.forged", "went_wrong": "forged"})
    assert forged.status_code == 303
    assert all(row.went_wrong != "forged" for row in rows(app))


def test_too_long_comments_are_kept_and_explained(visitor):
    answer = visitor.post("/feedback", data={"csrf_token": visitor.token, "path": "/a-to-z", "useful": "no"},
                          headers=HX)
    token = re.search(r'name="token" value="([^"]+)"', text(answer)).group(1)
    long = visitor.post("/feedback/comments", data={"csrf_token": visitor.token, "path": "/a-to-z", "token": token,
                                                    "trying_to": "x" * 1200})
    assert long.status_code == 400
    assert "must be 1,000 characters or fewer" in text(long) and "x" * 1200 in text(long)


@pytest.mark.parametrize("data", [
    {"path": "/a-to-z", "useful": "perhaps"},
    {"path": "https://elsewhere.example/", "useful": "no"},
    {"path": "", "useful": "yes"},
    {"useful": "yes"},
])
def test_odd_answers_get_a_kind_400(visitor, data):
    answer = visitor.post("/feedback", data={"csrf_token": visitor.token, **data})
    assert answer.status_code == 400 and "There is a problem" in text(answer)


def test_the_return_link_never_leaves_the_site(visitor):
    page = text(visitor.get("/feedback/thanks?path=//evil.example/"))
    assert 'href="//evil' not in page and 'href="/">' in page


def test_welsh_pages_ask_in_welsh_and_record_the_language(app, public_token_of):
    client = app.test_client()
    token = public_token_of(client, "/cy/a-to-z")
    page = text(client.get("/cy/a-to-z"))
    assert "Ydy'r dudalen hon yn ddefnyddiol?" in page and 'action="/cy/feedback"' in page
    answer = client.post("/cy/feedback", data={"csrf_token": token, "path": "/a-to-z", "useful": "no"})
    assert answer.headers["Location"].startswith("/cy/feedback/comments")
    assert rows(app)[-1].language == "cy"


def test_a_honeypot_answer_is_thanked_and_not_stored(app, visitor):
    before = len(rows(app))
    answer = visitor.post("/feedback", data={"csrf_token": visitor.token, "path": "/a-to-z", "useful": "no",
                                             "th_extra": "spam"})
    assert answer.status_code == 303 and len(rows(app)) == before


def test_answers_are_limited_per_client(make_quick_app, public_token_of):
    app = make_quick_app(TOWNHALL_FEEDBACK_RATE_LIMIT=2, TOWNHALL_OUTBOX_INTERVAL=0)
    client = app.test_client()
    token = public_token_of(client)
    for _ in range(4):
        client.post("/feedback", data={"csrf_token": token, "path": "/", "useful": "yes"})
    assert len(rows(app)) == 2
    engines.database(app).dispose()


def test_the_feedback_box_leaves_pages_cacheable(app):
    """No session cookie for the box on every page: pages for everyone stay public (the page cache, nginx)."""
    page = app.test_client().get("/a-to-z")
    assert "Set-Cookie" not in page.headers and 'id="page-feedback"' in text(page)
    assert page.headers["Cache-Control"].startswith("public") and 'name="csrf-token"' not in text(page)


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # another host of the same site is still another origin
    {"Origin": "https://evil.example"},
])
def test_feedback_sent_from_another_site_is_refused_and_stores_nothing(app, visitor, headers):
    before = len(rows(app))
    answer = visitor.post("/feedback", data={"csrf_token": visitor.token, "path": "/a-to-z", "useful": "no"},
                          headers=headers)
    assert answer.status_code == 400 and "Sorry, your form was not sent" in text(answer)
    assert len(rows(app)) == before


def test_feedback_from_this_site_by_browser_headers_is_taken(app, visitor):
    same = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    answer = visitor.post("/feedback", data={"csrf_token": visitor.token, "path": "/a-to-z", "useful": "yes"},
                          headers=same)
    assert answer.status_code == 303


@pytest.mark.parametrize("token", ["", "forged.token", "days-old"])
def test_feedback_without_the_days_token_is_refused(app, visitor, token):
    if token == "days-old":  # a page kept for three days: its token has run out
        from datetime import date

        from itsdangerous import URLSafeSerializer
        token = URLSafeSerializer(app.secret_key, salt="townhall-public-form").dumps(date(2026, 3, 6).toordinal())
    answer = visitor.post("/feedback", data={"csrf_token": token, "path": "/a-to-z", "useful": "yes"})
    assert answer.status_code == 400
