"""Insights from the web: searches and postcodes noted without personal data, followed results through
/search/go, the recorder never breaking an answer, and /staff/insights behind login and the content role."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from sqlalchemy import delete, select

from townhall import create_app, engines
from townhall.cases import create_staff, record_feedback, validate_feedback
from townhall.cases.models import OutsidePostcode, SearchClick, SearchRecord

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery staple"
HX = {"HX-Request": "true"}
STAFF = {"casey@council.example": "customer_service", "cleo@council.example": "content",
         "ada@council.example": "admin"}


@pytest.fixture(scope="module")
def app(tmp_path_factory, module_search_index):
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("insights")),
                      "TOWNHALL_SEARCH_INDEX": module_search_index, "TOWNHALL_PAGE_CACHE": 0,
                      "TOWNHALL_OUTBOX_INTERVAL": 0, "TOWNHALL_NOW": NOW, "TOWNHALL_LOGIN_RATE_LIMIT": 0})
    with app.app_context():
        database = engines.database()
        for email, role in STAFF.items():
            database.transaction(lambda session, email=email, role=role: create_staff(
                session, email=email, name=email.split("@")[0].title(), role=role, password=PASSWORD, now=NOW,
                hasher=FAST))
    yield app
    engines.database(app).dispose()


@pytest.fixture(autouse=True)
def empty(app):
    with app.app_context():
        def work(session):
            for model in (SearchRecord, SearchClick, OutsidePostcode):
                session.execute(delete(model))
        engines.database().transaction(work)


def rows(app, model):
    with app.app_context(), engines.database().read_session() as session:
        return session.scalars(select(model)).all()


def search_from(app, address, query, headers=None, lang=""):
    client = app.test_client()
    return client.get(f"{lang}/search", query_string={"q": query}, headers=headers or {},
                      environ_base={"REMOTE_ADDR": address})


def test_a_search_is_noted_scrubbed_with_a_daily_visitor_key_and_no_address(app):
    response = search_from(app, "203.0.113.9", "my bin jo@example.com 07700 900123")
    assert response.status_code == 200
    (row,) = rows(app, SearchRecord)
    assert row.query == "my bin [email removed] [phone number removed]"
    assert row.day == date(2026, 3, 20)
    assert "203.0.113" not in row.visitor and len(row.visitor) == 16


def test_letters_typed_so_far_and_filters_are_not_noted_but_a_search_press_is(app):
    search_from(app, "203.0.113.9", "bi", headers={**HX, "HX-Trigger": "search-input"})
    search_from(app, "203.0.113.9", "bin", headers={**HX, "HX-Trigger": "search-kind"})
    assert rows(app, SearchRecord) == []
    search_from(app, "203.0.113.9", "bin", headers=HX)  # the form itself (no id): the Search button
    search_from(app, "203.0.113.9", "bin", lang="/cy")
    assert [(row.query, row.language) for row in rows(app, SearchRecord)] == [("bin", "en"), ("bin", "cy")]


def test_later_pages_and_empty_searches_are_not_noted(app):
    app.test_client().get("/search?q=bin&page=2")
    app.test_client().get("/search?q=")
    app.test_client().get("/search")
    assert rows(app, SearchRecord) == []


SAME_SITE = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "no-cors", "Content-Type": "text/ping"}


@pytest.mark.parametrize("lang", ["", "/cy"])
@pytest.mark.parametrize("headers", [{}, HX])
def test_results_keep_their_real_links_and_ping_when_followed(app, lang, headers):
    page = search_from(app, "203.0.113.9", "missed bin", headers=headers, lang=lang).get_data(as_text=True)
    links = re.findall(r'<h3 class="th-result__title"><a href="([^"]+)"[^>]* ping="([^"]+)"', page)
    assert links and all(href.startswith(f"{lang}/") and "/search/" not in href for href, _ in links)
    assert {ping for _, ping in links} == {f"{lang}/search/followed?q=missed+bin"}
    response = app.test_client().post(links[0][1], data="PING", headers={**SAME_SITE, **headers})
    assert response.status_code == 204 and response.headers["Cache-Control"] == "no-store"
    assert [row.query for row in rows(app, SearchClick)] == ["missed bin"]


def test_a_ping_from_another_site_is_not_counted(app):
    response = app.test_client().post("/search/followed?q=bin", data="PING",
                                      headers={**SAME_SITE, "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 204
    assert rows(app, SearchClick) == []


@pytest.mark.parametrize("query", ["", "?!", "x" * 5000, "%00%ff"])
def test_odd_pings_never_fail(app, query):
    assert app.test_client().post(f"/search/followed?q={query}", data="PING", headers=SAME_SITE).status_code == 204
    assert app.test_client().get("/search/followed?q=bin").status_code == 405


def test_a_click_with_an_email_in_the_words_is_noted_without_it(app):
    app.test_client().post("/search/followed", query_string={"q": "bin for jo@example.com"}, data="PING",
                           headers=SAME_SITE)
    assert [row.query for row in rows(app, SearchClick)] == ["bin for [email removed]"]


@pytest.mark.parametrize("path", ["/your-area?postcode=SW1A+1AA", "/cy/your-area?postcode=sw1a1aa",
                                  "/school-catchment-areas?postcode=SW1A%201AA",
                                  "/api/postcodes/SW1A1AA", "/api/nearest?category=libraries&postcode=SW1A1AA"])
@pytest.mark.parametrize("headers", [{}, HX])
def test_outside_postcodes_are_noted_by_outward_code_only(app, path, headers):
    response = app.test_client().get(path, headers=headers)
    assert response.status_code == 404
    assert [row.outward for row in rows(app, OutsidePostcode)] == ["SW1A"]


def test_postcodes_in_our_area_and_locations_are_not_noted(app):
    app.test_client().get("/your-area?postcode=BK1+1AA")
    app.test_client().get("/your-area?lat=51.5&lon=-0.12")  # outside, but a location, not a postcode
    assert rows(app, OutsidePostcode) == []


def test_a_broken_recorder_never_breaks_a_search_or_a_postcode_answer(app, monkeypatch, caplog):
    monkeypatch.setattr(engines, "insights", lambda app=None: (_ for _ in ()).throw(RuntimeError("down")))
    assert search_from(app, "203.0.113.9", "council tax jo@example.com").status_code == 200
    assert app.test_client().get("/your-area?postcode=SW1A+1AA").status_code == 404
    assert app.test_client().get("/api/postcodes/SW1A1AA").get_json()["error"]["code"] == "outside_area"
    assert app.test_client().post("/search/followed?q=x", data="PING", headers=SAME_SITE).status_code == 204
    assert "jo@example.com" not in caplog.text and "SW1A" not in caplog.text


def test_a_failing_database_write_never_breaks_a_search(app, monkeypatch):
    with app.app_context():
        recorder = engines.insights()
    monkeypatch.setattr(recorder.database, "transaction",
                        lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError("locked")))
    assert search_from(app, "203.0.113.9", "council tax").status_code == 200


# --- the staff page ------------------------------------------------------------------------------------------

def logged_in(app, csrf_token_of, email):
    client = app.test_client()
    token = csrf_token_of(client, "/staff/login")
    response = client.post("/staff/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 303
    return client


def test_the_insights_page_needs_a_login(app):
    response = app.test_client().get("/staff/insights")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_customer_service_may_not_see_it(app, csrf_token_of):
    client = logged_in(app, csrf_token_of, "casey@council.example")
    assert client.get("/staff/insights").status_code == 403
    assert client.get("/staff/insights", headers=HX).status_code == 403


@pytest.mark.parametrize("email", ["cleo@council.example", "ada@council.example"])
@pytest.mark.parametrize("lang", ["", "/cy"])
@pytest.mark.parametrize("headers", [{}, HX])
def test_the_content_team_sees_queries_from_three_visitors_only(app, csrf_token_of, email, lang, headers):
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        search_from(app, address, "zzqxv allotment waiting list")
    for address in ("203.0.113.1", "203.0.113.2"):
        search_from(app, address, "zzqxv wheelie bin for jo@example.com")
    app.test_client().get("/your-area?postcode=SW1A+1AA")
    with app.app_context():
        engines.database().transaction(lambda session: record_feedback(session, validate_feedback(
            {"path": "/services/report-a-missed-bin", "useful": "no", "went_wrong": "no phone 07700 900123"})[0],
            date(2026, 3, 19)))
    client = logged_in(app, csrf_token_of, email)
    response = client.get(f"{lang}/staff/insights", headers=headers)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "zzqxv allotment waiting list" in page
    assert "wheelie" not in page and "jo@example.com" not in page
    assert "<th scope=\"row\">SW1A</th>" in page and "1AA" not in page
    assert "/services/report-a-missed-bin" in page and "[phone number removed]" in page
    assert "07700" not in page


def test_the_period_is_checked(app, csrf_token_of):
    client = logged_in(app, csrf_token_of, "cleo@council.example")
    for days in ("30", "365", "abc", "-5", "9" * 50):
        assert client.get(f"/staff/insights?days={days}").status_code == 200


def test_words_the_site_has_nothing_about_count_as_found_nothing(app):
    search_from(app, "203.0.113.9", "missed bin")
    search_from(app, "203.0.113.9", "qwzzx flurbles")
    found = {row.query: row.results for row in rows(app, SearchRecord)}
    assert found["missed bin"] > 0 and found["qwzzx flurbles"] == 0
