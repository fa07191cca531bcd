"""How we're doing, through the app: the page in English and Welsh, whole and as an htmx block, one standard at a
time, the downloads, and the staff import form (login, role, CSRF, every bad row listed, audited)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from townhall import create_app, engines
from townhall.cases import create_staff
from townhall.cases.models import AuditEntry
from townhall.performance import Count, MonthlyFigure, store_demo
from townhall.performance.figures import save

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=LONDON)
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery staple"
HX = {"HX-Request": "true"}
HEADER = "month,standard,contacts,within_promise\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory, module_search_index):
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("performance")),
                      "TOWNHALL_SEARCH_INDEX": module_search_index, "TOWNHALL_OUTBOX_INTERVAL": 0,
                      "TOWNHALL_NOW": NOW, "TOWNHALL_LOGIN_RATE_LIMIT": 0})
    with app.app_context():
        database = engines.database()
        database.transaction(lambda session: store_demo(session, engines.site().standards, NOW.date(), NOW))
        for email, role in (("casey@council.example", "customer_service"), ("cleo@council.example", "content")):
            database.transaction(lambda session, email=email, role=role: create_staff(
                session, email=email, name=email.split("@")[0].title(), role=role, password=PASSWORD, now=NOW,
                hasher=FAST))
    yield app
    engines.database(app).dispose()


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_page_says_each_standard_in_a_sentence_first(app):
    page = text(app.test_client().get("/how-we-are-doing"))
    assert "<h1>How we’re doing</h1>" in page
    # The demo's storm month (October) and the latest month (November) of the phone standard
    assert re.search(r"In November 2026, \d+% of calls answered within 20 seconds \([\d,]+ out of [\d,]+\)\.", page)
    assert "Our target is 80%." in page
    assert page.count("We met it.") == 9  # every standard met its target in the demo's November
    assert page.count('<svg class="th-chart__svg"') == 9  # one chart per standard
    assert page.count("<title id=") == 9 and page.count("<desc id=") == 9
    assert "th-chart__point--missed" in page  # missed months are crosses, not only a colour
    assert "Storm Bronwen" in page  # the team's explanation of October's dip
    assert "You said, we did" in page and "plain English" in page
    assert "How satisfied people were" in page


def test_each_chart_has_a_table_of_the_same_figures(app):
    page = text(app.test_client().get("/how-we-are-doing?standard=phone-answer"))
    with app.app_context():
        with engines.database().read_session() as session:
            october = session.scalar(select(MonthlyFigure).where(MonthlyFigure.measure == "phone-answer",
                                                                MonthlyFigure.month == date(2026, 10, 1)))
    assert f"{october.percent}%" in page
    assert f"{october.met:,} of {october.counted:,}" in page
    assert page.count('<svg class="th-chart__svg"') == 1
    assert "How satisfied people were" not in page  # one standard only


def test_a_month_that_missed_without_an_explanation_says_so(app):
    with app.app_context():
        engines.database().transaction(lambda session: save(
            session, "complaint-stage-2-acknowledge", date(2026, 11, 1), Count(10, 5), "import", NOW))
    try:
        page = text(app.test_client().get("/how-we-are-doing?standard=complaint-stage-2-acknowledge"))
        assert "In November 2026, 50% of stage 2 complaints acknowledged within 3 working days" in page
        assert "We did not meet it." in page
        assert "We have not written an explanation for this month yet." in page
    finally:
        with app.app_context():
            engines.database().transaction(lambda session: store_demo(session, engines.site().standards,
                                                                      NOW.date(), NOW))


def test_htmx_gets_the_results_block_only(app):
    client = app.test_client()
    whole = text(client.get("/how-we-are-doing?standard=voicemail"))
    block = text(client.get("/how-we-are-doing?standard=voicemail", headers=HX))
    assert "<html" in whole and "<html" not in block
    assert "<h1>" not in block and "data-focus-here" in block and 'data-announce="Showing 1 standard"' in block
    assert "voicemail" in block.lower()


def test_an_unknown_standard_shows_them_all(app):
    page = text(app.test_client().get("/how-we-are-doing?standard=%3Cscript%3E"))
    assert page.count('<svg class="th-chart__svg"') == 9 and "<script>" not in page.split("<main")[1]


def test_the_page_in_welsh(app):
    client = app.test_client()
    page = text(client.get("/cy/how-we-are-doing"))
    assert 'lang="cy"' in page
    assert "Tachwedd 2026" in page
    assert "galwadau wedi'u hateb o fewn 20 eiliad" in page or "galwadau wedi&#39;u hateb o fewn 20 eiliad" in page
    assert "Dywedoch chi" in page
    block = text(client.get("/cy/how-we-are-doing?standard=written-acknowledge", headers=HX))
    assert "<html" not in block and "Rhagfyr 2025" in block
    assert "roedd ein swyddfeydd ar gau" in block  # the Welsh explanation of December's dip


def test_csv_and_json_downloads_hold_every_figure(app):
    client = app.test_client()
    with app.app_context():
        with engines.database().read_session() as session:
            total = session.scalar(select(func.count(MonthlyFigure.id)))
    as_csv = client.get("/how-we-are-doing/figures.csv")
    assert as_csv.mimetype == "text/csv" and "attachment" in as_csv.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text(as_csv))))
    assert len(rows) == total == 11 * 18
    phone = next(row for row in rows if row["measure"] == "phone-answer" and row["month"] == "2026-10")
    assert phone["target_percent"] == "80" and phone["target_met"] == "false"
    as_json = json.loads(text(client.get("/cy/how-we-are-doing/figures.json")))
    assert len(as_json["figures"]) == total and as_json["fields"][0] == "measure"
    assert {row["measure"] for row in as_json["figures"]} >= {"satisfaction", "page-feedback", "first-contact"}


def test_the_service_standards_page_links_to_it(app):
    assert 'href="/how-we-are-doing"' in text(app.test_client().get("/our-service-standards"))


# -- the staff upload -----------------------------------------------------------------------------------------

def logged_in(app, csrf_token_of, email="casey@council.example"):
    client = app.test_client()
    token = csrf_token_of(client, "/staff/login")
    assert client.post("/staff/login", data={"csrf_token": token, "email": email,
                                             "password": PASSWORD}).status_code == 303
    return client, csrf_token_of(client, "/staff/performance/import")


def upload(client, token, body: bytes, name: str = "figures.csv"):
    data = {"figures": (io.BytesIO(body), name)}
    if token:
        data["csrf_token"] = token
    answer = client.post("/staff/performance/import", data=data, content_type="multipart/form-data")
    answer.request.environ["wsgi.input"].close()  # the test client spools a big body to a file it never closes
    return answer


def figures_of(app, measure: str, month: date):
    with app.app_context():
        with engines.database().read_session() as session:
            found = session.scalar(select(MonthlyFigure).where(MonthlyFigure.measure == measure,
                                                               MonthlyFigure.month == month))
            return (found.counted, found.met, found.source) if found else None


def test_the_import_needs_a_login_and_the_customer_service_role(app, csrf_token_of):
    assert app.test_client().get("/staff/performance/import").status_code == 302
    content, _ = logged_in(app, csrf_token_of, "cleo@council.example")
    assert content.get("/staff/performance/import").status_code == 403


def test_a_good_file_is_imported_and_audited(app, csrf_token_of):
    client, token = logged_in(app, csrf_token_of)
    form = text(client.get("/staff/performance/import"))
    assert 'enctype="multipart/form-data"' in form and "month,standard,contacts,within_promise" in form
    answer = upload(client, token, (HEADER + "2026-11,office-visit,1000,901\n2026-11,first-contact,500,350\n")
                    .encode())
    assert answer.status_code == 303
    assert "Imported 2 figure(s) for 2026-11." in text(client.get(answer.headers["Location"]))
    assert figures_of(app, "office-visit", date(2026, 11, 1)) == (1000, 901, "import")
    with app.app_context():
        with engines.database().read_session() as session:
            entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "performance_import"))
    assert entry is not None and entry.staff_id is not None and entry.detail == "2 figures"


def test_a_file_with_bad_rows_stores_nothing_and_lists_every_row(app, csrf_token_of):
    client, token = logged_in(app, csrf_token_of)
    before = figures_of(app, "voicemail", date(2026, 11, 1))
    answer = upload(client, token, (HEADER + "2026-11,voicemail,10,10\n2026-13,voicemail,1,1\n"
                                             "2026-11,written-answer,5,5\n").encode())
    page = text(answer)
    assert answer.status_code == 400
    assert "Nothing was imported: 2 row(s) need fixing." in page
    assert "Line 3:" in page and "Line 4:" in page and "is counted from our own case records" in page
    assert 'class="th-error-summary' in page or "th-error-summary" in page
    assert figures_of(app, "voicemail", date(2026, 11, 1)) == before  # the good row was not stored either


def test_the_import_refuses_no_file_a_huge_file_and_no_csrf_token(app, csrf_token_of):
    client, token = logged_in(app, csrf_token_of)
    empty = client.post("/staff/performance/import", data={"csrf_token": token}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "Choose the CSV file to import" in text(empty)
    huge = upload(client, token, HEADER.encode() + b"x" * (1024 * 1024 + 10))
    assert huge.status_code == 400 and "smaller than 1 MB" in text(huge)
    not_utf8 = upload(client, token, HEADER.encode("utf-16"))
    assert not_utf8.status_code == 400 and "UTF-8" in text(not_utf8)
    refused = upload(client, None, (HEADER + "2026-11,voicemail,10,10\n").encode())
    assert refused.status_code == 400
    assert figures_of(app, "voicemail", date(2026, 11, 1))[2] == "demo"


def test_a_new_site_with_no_figures_says_so_plainly(make_quick_app):
    app = make_quick_app(TOWNHALL_TODAY="2026-12-04")
    page = text(app.test_client().get("/how-we-are-doing"))
    assert page.count("We do not have figures for this yet.") == 9
    assert "th-chart__svg" not in page
    assert "We do not have survey answers yet." in page
    assert text(app.test_client().get("/how-we-are-doing/figures.csv")).strip() == (
        "measure,month,counted,met,percent,target_percent,target_met,source")
