""""When will I hear back?": the page (plain and htmx, English and Welsh), the JSON API, bad input, and the links."""

from __future__ import annotations

import re

import pytest

HX = {"HX-Request": "true"}
PAGE = "/when-will-i-hear-back"
API = "/api/when-will-i-hear-back"


@pytest.fixture(scope="module")
def app(tmp_path_factory, module_search_index):
    from townhall import create_app

    return create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("hear-back")),
                       "TOWNHALL_SEARCH_INDEX": module_search_index, "TOWNHALL_TODAY": "2026-12-14",
                       "TOWNHALL_OUTBOX_INTERVAL": 0})


@pytest.fixture
def client(app):
    return app.test_client()


def asked(contact="email", day="24", month="12", year="2026", lang="") -> str:
    return f"{lang}{PAGE}?contact={contact}&sent-day={day}&sent-month={month}&sent-year={year}"


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_form_starts_with_today_filled_in(client):
    page = text(client.get(PAGE))
    assert "<h1>When will I hear back?</h1>" in page
    assert 'name="sent-day" type="text" inputmode="numeric" value="14"' in page
    assert 'id="sent-month" name="sent-month" type="text" inputmode="numeric" value="12"' in page
    assert 'hx-get="/when-will-i-hear-back"' in page and 'method="get"' in page
    assert 'id="answer-heading"' not in page and "There is a problem" not in page


@pytest.mark.parametrize("lang", ["", "/cy"])
@pytest.mark.parametrize("headers", [{}, HX])
def test_every_language_with_and_without_htmx(client, lang, headers):
    response = client.get(asked(lang=lang), headers=headers)
    assert response.status_code == 200
    page = text(response)
    assert ('<h2 id="answer-heading" tabindex="-1" data-focus-here>' in page)
    assert "data-announce=" in page
    if headers:
        assert "<html" not in page and "<h1>" not in page and "data-page-title=" in page
    else:
        assert page.lstrip().lower().startswith("<!doctype html")
    if lang:
        assert "Dydd Nadolig" in page and "Gŵyl San Steffan" in page and 'lang="cy"' in text(client.get(asked(lang=lang)))
        assert 'action="/cy/when-will-i-hear-back"' in page
    else:
        assert "Christmas Day (bank holiday)" in page


def test_the_answer_in_words_names_what_moved_it(client):
    page = text(client.get(asked()))
    assert "If you sent it on Thursday 24 December 2026" in page
    assert "tell you we have your letter, email or form by Wednesday 6 January 2027" in page
    assert "give you a full answer by Friday 15 January 2027" in page
    assert "Friday 25 December 2026: Christmas Day (bank holiday)" in page
    assert "Tuesday 29 December 2026 to Thursday 31 December 2026: Office closed between Christmas and New Year" in page
    assert "If it reached us after 5pm on a working day, we count from the next working day" in page
    assert "We also do not count the 6 Saturdays and Sundays in this time." in page  # 26-27 Dec, 2-3 and 9-10 Jan


def test_a_saturday_says_when_counting_starts(client):
    page = text(client.get(asked("voicemail", "7", "3", "2026")))
    assert "You sent it at the weekend, so we count from Monday 9 March 2026." in page
    assert "reply to your voicemail by Tuesday 10 March 2026" in page
    assert "tell you we have your" not in page.split("answer-heading")[1]  # a voicemail is answered, not acknowledged
    assert "We also do not count the 2 Saturdays and Sundays in this time." in page


def test_a_letter_counts_from_when_it_arrives(client):
    assert "not the day you post it" in text(client.get(asked("letter")))
    assert "not the day you post it" not in text(client.get(asked("email")))


@pytest.mark.parametrize(("query", "field", "message"), [
    ("contact=&sent-day=1&sent-month=12&sent-year=2026", "contact", "Select how you contacted us"),
    ("contact=owl&sent-day=1&sent-month=12&sent-year=2026", "contact", "Select how you contacted us from the list"),
    ("contact=email&sent-day=31&sent-month=2&sent-year=2026", "sent", "must be a real date"),
    ("contact=email&sent-day=&sent-month=&sent-year=", "sent", "Enter the date you sent it"),
    ("contact=email&sent-day=3&sent-month=&sent-year=2026", "sent", "must include a month"),
    ("contact=email&sent-day=3&sent-month=3&sent-year=26", "sent", "The year must have 4 numbers"),
    ("contact=email&sent-day=3&sent-month=3&sent-year=1990", "sent", "must be in the last 12 months"),
    ("contact=email&sent-day=3&sent-month=3&sent-year=2090", "sent", "must be in the next 12 months"),
    ("contact=email&sent-day=%00&sent-month=%ff&sent-year=" + "9" * 5000, "sent", "must be a real date"),
    ("contact=email", "sent", "Enter the date you sent it"),
])
@pytest.mark.parametrize("lang", ["", "/cy"])
@pytest.mark.parametrize("headers", [{}, HX])
def test_bad_input_gets_a_kind_error_never_a_500(client, query, field, message, lang, headers):
    response = client.get(f"{lang}{PAGE}?{query}", headers=headers)
    assert response.status_code == 400
    page = text(response)
    assert 'class="th-error-summary"' in page
    assert f'id="{field}-error"' in page
    if not lang:
        assert message in page
        assert "Error:" in page  # the title, and before each message for screen readers
    assert 'id="answer-heading"' not in page


def test_what_was_typed_is_kept_after_an_error(client):
    page = text(client.get(f"{PAGE}?contact=letter&sent-day=31&sent-month=2&sent-year=2026"))
    assert 'value="letter" checked' in page and 'value="31"' in page and 'value="2"' in page
    assert '<a href="#sent-day">' in page


# --- the API -----------------------------------------------------------------------------------------------

def test_the_api_gives_iso_dates_the_standards_and_the_days_off(client):
    response = client.get(f"{API}?contact=email&sent=2026-12-24")
    assert response.status_code == 200
    data = response.get_json()
    assert data["acknowledge"] == {"date": "2027-01-06", "standard": {
        "id": "written-acknowledge", "promise": "tell you we have your letter, email or form", "working_days": 3}}
    assert data["answer"]["date"] == "2027-01-15" and data["answer"]["standard"]["working_days"] == 10
    assert data["counted_from"] == "2026-12-24" and data["counted_from_reason"] is None
    assert data["weekend_days"] == 6
    assert [(day["date"], day["kind"]) for day in data["days_off"]] == [
        ("2026-12-25", "bank_holiday"), ("2026-12-28", "bank_holiday"), ("2026-12-29", "closure"),
        ("2026-12-30", "closure"), ("2026-12-31", "closure"), ("2027-01-01", "bank_holiday")]


@pytest.mark.parametrize(("contact", "sent", "acknowledge", "answer", "reason"), [
    ("web_form", "2026-04-02", "2026-04-09", "2026-04-20", None),  # Easter
    ("letter", "2026-05-01", "2026-05-07", "2026-05-18", None),  # early May bank holiday
    ("complaint_stage_1", "2026-05-22", "2026-05-28", "2026-06-01", None),  # spring bank holiday
    ("email", "2026-08-28", "2026-09-03", "2026-09-14", None),  # summer bank holiday
    ("email", "2026-12-29", "2027-01-07", "2027-01-18", "closure"),  # sent on a closure day
    ("complaint_stage_2", "2026-12-25", "2027-01-07", "2027-02-01", "bank_holiday"),
    ("voicemail", "2026-03-07", None, "2026-03-10", "weekend"),  # a Saturday
])
def test_the_api_for_the_awkward_days(client, contact, sent, acknowledge, answer, reason):
    data = client.get(f"{API}?contact={contact}&sent={sent}").get_json()
    assert (data["acknowledge"] or {}).get("date") == acknowledge
    assert data["answer"]["date"] == answer
    assert data["counted_from_reason"] == reason


def test_the_api_speaks_welsh_under_cy(client):
    data = client.get(f"/cy{API}?contact=email&sent=2026-12-24").get_json()
    assert data["days_off"][0]["name"] == "Dydd Nadolig"


@pytest.mark.parametrize(("query", "code"), [
    ("", "no_contact"),
    ("contact=email", "no_date"),
    ("contact=owl&sent=2026-12-24", "unknown_contact"),
    ("contact=email&sent=2026-02-30", "not_a_date"),
    ("contact=email&sent=24/12/2026", "not_a_date"),
    ("contact=email&sent=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-12-24", "not_a_date"),  # full-width digits
    ("contact=email&sent=1990-01-01", "date_too_early"),
    ("contact=email&sent=2099-01-01", "date_too_late"),
    ("contact=" + "x" * 5000 + "&sent=2026-12-24", "unknown_contact"),
])
@pytest.mark.parametrize("headers", [{}, HX])
def test_bad_api_input_is_json_in_the_shared_error_shape(client, query, code, headers):
    response = client.get(f"{API}?{query}", headers=headers)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code and error["status"] == 400 and error["message"]
    assert set(error) == {"code", "status", "message"}


def test_the_api_is_in_the_openapi_document(client):
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"][API]["get"]
    assert operation["operationId"] == "getWhenWillIHearBack"
    assert {p["name"] for p in operation["parameters"]} == {"contact", "sent"}
    assert "HearBackAnswer" in document["components"]["schemas"]
    assert set(operation["responses"]["400"]["x-error-codes"]) >= {"unknown_contact", "not_a_date"}


# --- linked from the pages residents are on -------------------------------------------------------------

@pytest.mark.parametrize("path", ["/contact-us", "/how-to-complain", "/track", "/our-service-standards",
                                  "/cy/contact-us", "/cy/how-to-complain", "/cy/track", "/cy/our-service-standards"])
def test_linked_from_contact_complaint_track_and_standards_pages(client, path):
    page = text(client.get(path))
    prefix = "/cy" if path.startswith("/cy") else ""
    assert re.search(rf'href="{prefix}/when-will-i-hear-back"', page), path
