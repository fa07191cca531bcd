"""Every form, fuzzed: over 10,000 made-up submissions in total, and not one server error.

Hypothesis sends each form odd and hostile values (control characters, NUL, huge pastes, every script,
wrong choices, steps and buttons that do not exist, missing or forged CSRF tokens), with and without htmx,
in English and Welsh. Whatever comes in, the answer is a page or a redirect below 500. The examples are
split between the forms so the whole module runs in about a minute on the test client.
"""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall import create_app, engines
from townhall.cases import Submission, create_staff, submit
from townhall.cases.models import utcnow

EXAMPLES = {
    "contact": 1300, "complain": 1300, "format": 1300, "compliment": 1000, "stage_two": 800, "track": 900,
    "feedback": 900, "comments": 500, "login": 400, "staff_log": 700, "staff_actions": 700, "settings": 300,
}
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def test_the_fuzzing_adds_up_to_ten_thousand_cases():
    assert sum(EXAMPLES.values()) >= 10_000


def fuzzed(name: str):
    return settings(max_examples=EXAMPLES[name], deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def app(tmp_path_factory, module_search_index):
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("fuzz")),
                      "TOWNHALL_SEARCH_INDEX": module_search_index, "TOWNHALL_OUTBOX_INTERVAL": 0,
                      "TOWNHALL_SUBMISSION_RATE_LIMIT": 0, "TOWNHALL_FEEDBACK_RATE_LIMIT": 0,
                      "TOWNHALL_TRACK_RATE_LIMIT": 0, "TOWNHALL_LOGIN_RATE_LIMIT": 3,
                      # a crash raises here instead of becoming a kind 500 page, so hypothesis shows it
                      "PROPAGATE_EXCEPTIONS": True, "TOWNHALL_RAISE_ERRORS": True})
    with app.app_context():
        database = engines.database()
        database.transaction(lambda session: create_staff(
            session, email="fuzz@council.example", name="Fuzz", role="admin", password="correct horse battery",
            now=utcnow(), hasher=FAST))
        for kind in ("enquiry", "complaint"):
            database.transaction(lambda session, kind=kind: submit(session, engines.casework(), Submission(
                kind=kind, stage=1 if kind == "complaint" else None, details="x", email="jo@example.com"),
                utcnow()))
    yield app
    engines.database(app).dispose()


@pytest.fixture(scope="module")
def resident(app):
    client = app.test_client()
    page = client.get("/settings").get_data(as_text=True)
    client.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client


@pytest.fixture(scope="module")
def staff(app):
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/staff/login").get_data(as_text=True))
    client.post("/staff/login", data={"csrf_token": token.group(1), "email": "fuzz@council.example",
                                      "password": "correct horse battery"})
    page = client.get("/privacy").get_data(as_text=True)
    client.token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return client


ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.text(alphabet="\x00\x01\r\n\t \u200b\u202e<>&\"'%;", max_size=60),
    st.sampled_from(["", " ", "\x00", "jo@example.com", "BK1 1AA", "bk11aa", "07700 900 982", "+44 (0)1632 960 001",
                     "BK-7KQ4-M9XR", "bk 7kq4 m9xr", "<script>alert(1)</script>", "%(example)s", "{{ 7 * 7 }}",
                     "report-a-missed-bin", "spoken_language", "other", "large_print", "email", "phone", "letter",
                     "none", "ŵ" * 5001, "x" * 6000, "yes", "no"]),
)
STEPS = st.sampled_from(["about", "you", "check", "", "nowhere", "change", "\x00"])
GOES = st.sampled_from(["continue", "back", "send", "change-about", "change-you", "change-check", "change-", "",
                        "dance", "send\x00"])
CASE_FIELDS = ("service", "details", "desired_outcome", "format", "format_language", "format_details", "name",
               "contact_preference", "email", "phone", "address", "postcode", "access_needs", "submission_key",
               "checking", "th_extra")


def form(fields: tuple[str, ...], **extra) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional=dict.fromkeys(fields, ODD_TEXT) | extra)


def token_for(client, choice: str) -> dict:
    """Mostly the right token; sometimes none, a forged one, or one from nowhere (each refused kindly)."""
    return {"right": {"csrf_token": client.token}, "none": {}, "forged": {"csrf_token": "x" * 40},
            "empty": {"csrf_token": ""}}[choice]


TOKENS = st.sampled_from(["right", "right", "right", "right", "none", "forged", "empty"])
PREFIXES = st.sampled_from(["", "/cy"])
HTMX = st.booleans()


def post(client, path: str, data: dict, htmx: bool, token: str, prefix: str) -> None:
    response = client.post(prefix + path, data={**data, **token_for(client, token)},
                           headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code < 500, (path, data, response.status_code)


def case_form(path: str, name: str):
    @fuzzed(name)
    @given(data=form(CASE_FIELDS, step=STEPS, go=GOES), htmx=HTMX, token=TOKENS, prefix=PREFIXES)
    def run(resident, data, htmx, token, prefix):
        post(resident, path, data, htmx, token, prefix)

    return run


test_contact_form_never_fails = case_form("/contact", "contact")
test_complaint_form_never_fails = case_form("/complain", "complain")
test_format_form_never_fails = case_form("/ask-for-another-format", "format")
test_compliment_form_never_fails = case_form("/compliment", "compliment")


@fuzzed("stage_two")
@given(data=form(("reference", "email_or_postcode", "details", "desired_outcome", "th_extra"),
                 go=st.sampled_from(["continue", "change", "send", "", "x"])),
       htmx=HTMX, token=TOKENS, prefix=PREFIXES)
def test_stage_two_form_never_fails(resident, data, htmx, token, prefix):
    post(resident, "/complain/stage-2", data, htmx, token, prefix)


@fuzzed("track")
@given(data=form(("reference", "email_or_postcode")), htmx=HTMX, token=TOKENS, prefix=PREFIXES)
def test_track_form_never_fails(resident, data, htmx, token, prefix):
    post(resident, "/track", data, htmx, token, prefix)


@fuzzed("feedback")
@given(data=form(("path", "useful", "trying_to", "went_wrong", "th_extra")), htmx=HTMX, token=TOKENS,
       prefix=PREFIXES)
def test_page_feedback_never_fails(resident, data, htmx, token, prefix):
    post(resident, "/feedback", data, htmx, token, prefix)


@fuzzed("comments")
@given(data=form(("path", "token", "trying_to", "went_wrong", "th_extra")), htmx=HTMX, token=TOKENS,
       prefix=PREFIXES)
def test_feedback_comments_never_fail(resident, data, htmx, token, prefix):
    post(resident, "/feedback/comments", data, htmx, token, prefix)


@fuzzed("login")
@given(data=form(("email", "password", "next")), htmx=HTMX, token=TOKENS, prefix=PREFIXES)
def test_staff_login_never_fails(app, data, htmx, token, prefix):
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    client.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    post(client, "/staff/login", data, htmx, token, prefix)


LOG_FIELDS = (*CASE_FIELDS, "kind", "channel", "language", "received_on-day", "received_on-month",
              "received_on-year")


@fuzzed("staff_log")
@given(data=form(LOG_FIELDS), htmx=HTMX, token=TOKENS, prefix=PREFIXES)
def test_logging_a_contact_never_fails(staff, data, htmx, token, prefix):
    post(staff, "/staff/log", data, htmx, token, prefix)


ACTION_FIELDS = ("ack_note", "close_note", "answer", "reason", "outcome", "channel", "details", "new_date-day",
                 "new_date-month", "new_date-year")


@fuzzed("staff_actions")
@given(data=form(ACTION_FIELDS), case_id=st.sampled_from([1, 2, 3, 99999]),
       action=st.sampled_from(["acknowledge", "answer", "new-date", "escalate", "close", "nothing"]),
       htmx=HTMX, token=TOKENS, prefix=PREFIXES)
def test_case_actions_never_fail(staff, data, case_id, action, htmx, token, prefix):
    post(staff, f"/staff/cases/{case_id}/{action}", data, htmx, token, prefix)


@fuzzed("settings")
@given(data=form(("text", "colours", "spacing", "speech", "return_to")), htmx=HTMX, token=TOKENS, prefix=PREFIXES)
def test_settings_never_fail(resident, data, htmx, token, prefix):
    post(resident, "/settings", data, htmx, token, prefix)
