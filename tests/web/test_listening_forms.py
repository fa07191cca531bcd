"""The residents' forms through the test client: contact us, complain (stage 1 and 2), another format,
compliments, and tracking; with and without htmx, in English and Welsh; errors, CSRF, the honeypot,
limits, and the dates on the confirmation page around bank holidays and closures (worked out by hand)."""

from __future__ import annotations

import html as htmllib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from townhall import create_app, engines
from townhall.cases.models import Case, OutboxMessage

LONDON = ZoneInfo("Europe/London")
HX = {"HX-Request": "true"}
MONDAY_10AM = datetime(2026, 3, 9, 10, 0, tzinfo=LONDON)
REFERENCE = re.compile(r'<strong class="th-reference" id="reference">(BK-[0-9A-Z]{4}-[0-9A-Z]{4})</strong>')
FORMS = {
    "enquiry": ("/contact", {"details": "When is my bin collected?", "service": "report-a-missed-bin"}),
    "complaint": ("/complain", {"details": "My bin was missed three times.", "desired_outcome": "Collect it"}),
    "format_request": ("/ask-for-another-format", {"format": "spoken_language", "format_language": "Polish",
                                                   "details": "The Council Tax leaflet"}),
    "compliment": ("/compliment", {"details": "The library staff were wonderful."}),
}
YOU = {"name": "Jo Bloggs", "contact_preference": "email", "email": "Jo@Example.com", "postcode": "bk1 1aa",
       "access_needs": "Large print letters"}


@pytest.fixture(scope="module")
def app(tmp_path_factory, module_search_index):
    instance = tmp_path_factory.mktemp("listening")
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(instance), "TOWNHALL_OUTBOX_INTERVAL": 0,
                      "TOWNHALL_SEARCH_INDEX": module_search_index,
                      "TOWNHALL_NOW": MONDAY_10AM, "TOWNHALL_SUBMISSION_RATE_LIMIT": 0,
                      "TOWNHALL_TRACK_RATE_LIMIT": 0, "TOWNHALL_FEEDBACK_RATE_LIMIT": 0})
    yield app
    engines.database(app).dispose()


@pytest.fixture
def at(app):
    """Set the app's clock for one test: at(datetime)."""
    def move(moment: datetime) -> None:
        app.config["TOWNHALL_NOW"] = moment

    yield move
    app.config["TOWNHALL_NOW"] = MONDAY_10AM


class Resident:
    """A browser as far as forms go: its cookies, the page's CSRF token, and the hidden fields a page carries."""

    def __init__(self, app, lang: str = "en", htmx: bool = False, token_of=None):
        self.client = app.test_client()
        self.prefix = "" if lang == "en" else f"/{lang}"
        self.headers = HX if htmx else {}
        self.token = token_of(self.client, self.prefix + "/settings")

    def get(self, path: str, **kwargs):
        return self.client.get(self.prefix + path, headers=self.headers, **kwargs)

    def post(self, path: str, data: dict, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.post(self.prefix + path, data={"csrf_token": self.token, **data}, headers=headers, **kwargs)

    def walk(self, kind: str, about: dict | None = None, you: dict | None = None):
        """Every page of a form, as a resident fills it in; returns the response to Send."""
        path, default_about = FORMS[kind]
        page = self.post(path, {"step": "about", **(about or default_about)})
        assert page.status_code == 200, errors_in(page)
        page = self.post(path, {**carried(page), "step": "you", **(you or YOU)})
        assert page.status_code == 200, errors_in(page)
        assert "Check your answers" in text(page) or "Gwiriwch" in text(page)
        return self.post(path, {**carried(page), "go": "send"})

    def confirmation(self, kind: str, **answers):
        sent = self.walk(kind, **answers)
        if self.headers:
            assert sent.status_code == 200 and sent.headers["HX-Redirect"].endswith("/confirmation")
            target = sent.headers["HX-Redirect"]
        else:
            assert sent.status_code == 303, errors_in(sent)
            target = sent.headers["Location"]
        return self.client.get(target)


def text(response) -> str:
    return response.get_data(as_text=True)


def carried(response) -> dict[str, str]:
    """The hidden fields of the page's question form (not the page-feedback form)."""
    page = text(response)
    start = page.index('class="th-question-form"') if 'class="th-question-form"' in page else 0
    form = page[start:page.index("</form>", start)]
    return {name: htmllib.unescape(value) for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form) if name != "csrf_token"}


def errors_in(response) -> dict[str, str]:
    return {name: htmllib.unescape(message) for name, message in re.findall(
        r'<p class="th-error-message" id="([\w-]+)-error"><span class="th-visually-hidden">[^<]*</span>([^<]*)</p>',
        text(response))}


def reference_of(response) -> str:
    return REFERENCE.search(text(response)).group(1)


def visible(response) -> str:
    """The words of <main>, tags removed, spaces squeezed."""
    page = text(response)
    main = page[page.find("<main"):page.find("</main>")] if "<main" in page else page
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", main)).split())


@pytest.fixture
def resident(app, csrf_token_of):
    def make(lang: str = "en", htmx: bool = False) -> Resident:
        return Resident(app, lang, htmx, csrf_token_of)
    return make


def cases(app) -> list[Case]:
    with engines.database(app).read_session() as session:
        return list(session.scalars(select(Case).order_by(Case.id)))


# -- every page answers ----------------------------------------------------------------------------------

PAGES = ["/contact", "/contact?service=report-a-missed-bin", "/complain", "/complain/stage-2",
         "/ask-for-another-format", "/compliment", "/track", "/privacy", "/feedback/thanks?path=/a-to-z",
         "/staff/login"]


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_with_and_without_htmx(resident, path, lang, htmx):
    response = resident(lang, htmx).get(path)
    assert response.status_code == 200
    page = text(response)
    if htmx and path.startswith("/feedback"):
        assert "<html" not in page and "data-announce" in page  # the box at the foot of the page, in place
    elif htmx and path not in ("/privacy", "/staff/login"):
        assert "<html" not in page and "data-page-title" in page
    else:
        assert f'<html lang="{lang}"' in page
    if path.startswith(("/contact", "/complain", "/ask", "/compliment", "/track")):
        assert 'name="csrf_token"' in page


@pytest.mark.parametrize("path", ["/contact/confirmation", "/complain/confirmation",
                                  "/ask-for-another-format/confirmation", "/compliment/confirmation"])
def test_a_confirmation_page_without_a_sent_form_goes_to_the_form(resident, path):
    response = resident().get(path)
    assert response.status_code == 302 and response.headers["Location"].endswith(path.rsplit("/", 1)[0])


def test_service_pages_offer_to_contact_us_about_them(resident):
    page = text(resident().get("/services/report-a-missed-bin"))
    assert 'href="/contact?service=report-a-missed-bin"' in page and "Contact us about this" in page
    form = text(resident().get("/contact?service=report-a-missed-bin"))
    assert '<option value="report-a-missed-bin" selected>' in form


def test_every_page_asks_if_it_is_useful(resident):
    for path in ("/", "/a-to-z", "/contact", "/cy/", "/no-such-page"):
        page = text(resident().client.get(path))
        assert "Is this page useful?" in page or "Ydy'r dudalen hon yn ddefnyddiol?" in page
        assert 'name="useful" value="no"' in page


# -- walking each form -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("kind", list(FORMS))
def test_each_form_walks_to_a_confirmation_with_a_reference_and_a_date(app, resident, kind, lang, htmx):
    before = len(cases(app))
    page = resident(lang, htmx).confirmation(kind)
    assert page.status_code == 200
    reference = reference_of(page)
    stored = cases(app)
    assert len(stored) == before + 1 and stored[-1].reference == reference
    case = stored[-1]
    assert case.kind == kind and case.language == lang and case.channel == "web"
    assert case.email == "Jo@Example.com" and case.postcode == "BK1 1AA" and case.name == "Jo Bloggs"
    assert case.access_needs == "Large print letters"
    words = visible(page)
    if kind == "compliment":
        assert "pass it on" in words or "drosglwyddo" in words
    elif lang == "en":
        # Monday 9 March 2026, 10am: 10 working days (enquiry, format) or 5 (complaint) from that day.
        expected = "Monday 23 March 2026" if kind != "complaint" else "Monday 16 March 2026"
        assert f"We will reply by {expected}." in words
    else:
        expected = "Dydd Llun 23 Mawrth 2026" if kind != "complaint" else "Dydd Llun 16 Mawrth 2026"
        assert expected in words
    if kind == "format_request":
        assert case.format_requested == "spoken_language" and case.format_language == "Polish"


def test_the_check_page_shows_every_answer_and_change_goes_back_to_it(resident):
    visitor = resident()
    page = visitor.post("/complain", {"step": "about", "details": "Bins\nmissed", "desired_outcome": "Sorry"})
    page = visitor.post("/complain", {**carried(page), "step": "you", **YOU})
    words = visible(page)
    for answer in ("Bins missed", "Sorry", "Jo Bloggs", "Jo@Example.com", "Large print letters", "Email"):
        assert answer in words
    assert 'value="change-about"' in text(page) and 'value="change-you"' in text(page)
    hidden = carried(page)
    assert hidden["submission_key"] and hidden["details"] == "Bins\nmissed"
    change = visitor.post("/complain", {**hidden, "go": "change-about"})
    assert 'name="checking" value="1"' in text(change)
    assert ">Bins\nmissed</textarea>" in text(change)
    again = visitor.post("/complain", {**carried(change), "step": "about", "details": "Bins missed again",
                                       "desired_outcome": "Sorry"})
    assert "Check your answers" in text(again) and "Bins missed again" in visible(again)
    assert carried(again)["submission_key"] == hidden["submission_key"]  # the same form, sent once


def test_back_keeps_what_was_typed_on_both_pages(resident):
    visitor = resident()
    page = visitor.post("/contact", {"step": "about", "details": "Potholes"})
    back = visitor.post("/contact", {**carried(page), "step": "you", "name": "Sam", "go": "back"})
    assert ">Potholes</textarea>" in text(back)
    assert carried(back)["name"] == "Sam"


def test_errors_are_summarised_linked_inline_and_values_are_kept(resident):
    visitor = resident()
    page = visitor.post("/contact", {"step": "about", "details": "", "service": "report-a-missed-bin"})
    assert page.status_code == 400
    html = text(page)
    assert 'class="th-error-summary"' in html and 'href="#details"' in html
    assert errors_in(page) == {"details": "Enter your question or request"}
    assert 'aria-describedby="details-hint details-limit details-error"' in html
    assert '<option value="report-a-missed-bin" selected>' in html
    assert "<title>Error: " in html
    page = visitor.post("/contact", {"step": "you", "details": "x", "name": "", "contact_preference": "email",
                                     "email": "jo@", "postcode": "nowhere"})
    assert page.status_code == 400
    assert errors_in(page) == {
        "name": "Enter your full name",
        "email": "Enter an email address in the correct format, like name@example.com",
        "postcode": "Enter a full UK postcode, like BK1 1AA",
    }
    assert 'value="jo@"' in text(page) and 'value="nowhere"' in text(page)
    radios = visitor.post("/contact", {"step": "you", "details": "x", "name": "Jo"})
    assert 'href="#contact_preference-email"' in text(radios)


def test_an_email_box_under_a_choice_not_chosen_is_not_checked(resident):
    page = resident().post("/contact", {"step": "you", "details": "x", "name": "Jo", "contact_preference": "phone",
                                        "phone": "01632 960 001", "email": "not an email"})
    assert page.status_code == 200 and "Check your answers" in text(page)
    assert "not an email" not in text(page)


def test_personal_fields_say_what_they_are_and_nothing_is_asked_twice(resident):
    visitor = resident()
    about = text(visitor.get("/contact"))
    you = text(visitor.post("/contact", {"step": "about", "details": "x"}))
    for field, token in (("name", "name"), ("email", "email"), ("phone", "tel"), ("address", "street-address"),
                         ("postcode", "postal-code")):
        assert re.search(rf'name="{field}"[^>]*autocomplete="{token}"', you), field
    asked = re.findall(r'<(?:input(?![^>]*type="(?:hidden|radio)")|textarea|select)[^>]* name="([a-z_]+)"', about + you)
    asked += [name for page in (about, you) for name in set(re.findall(r'type="radio" [^>]*name="([a-z_]+)"', page))]
    asked = [name for name in asked if name not in ("csrf_token", "step", "path", "th_extra", "q", "useful")]
    assert len(asked) == len(set(asked)), asked
    question_form = you[you.index('class="th-question-form"'):]
    assert "maxlength" not in question_form[:question_form.index("</form>")]  # a long paste is explained, not cut


def test_a_long_paste_is_kept_and_explained(resident):
    page = resident().post("/contact", {"step": "about", "details": "ŵ" * 6000})
    assert page.status_code == 400
    assert errors_in(page)["details"] == "What you tell us must be 5,000 characters or fewer"
    assert "ŵ" * 6000 in text(page)


@pytest.mark.parametrize("htmx", [False, True])
def test_a_form_sent_twice_makes_one_case(app, resident, htmx):
    visitor = resident(htmx=htmx)
    page = visitor.post("/compliment", {"step": "about", "details": "Thank you"})
    check = carried(visitor.post("/compliment", {**carried(page), "step": "you", "contact_preference": "none"}))
    before = len(cases(app))
    first = visitor.post("/compliment", {**check, "go": "send"})
    second = visitor.post("/compliment", {**check, "go": "send"})
    assert first.status_code == second.status_code
    assert len(cases(app)) == before + 1


def test_a_filled_honeypot_stores_nothing_and_says_try_again(app, resident):
    visitor = resident()
    page = visitor.post("/contact", {"step": "about", "details": "Buy cheap things"})
    check = carried(visitor.post("/contact", {**carried(page), "step": "you", **YOU}))
    before = len(cases(app))
    refused = visitor.post("/contact", {**check, "go": "send", "th_extra": "http://spam.example"})
    assert refused.status_code == 400 and "could not send your form" in text(refused)
    assert len(cases(app)) == before


def test_submissions_are_limited_per_client_and_keep_the_answers(make_quick_app, csrf_token_of):
    app = make_quick_app(TOWNHALL_SUBMISSION_RATE_LIMIT=2, TOWNHALL_OUTBOX_INTERVAL=0)
    visitor = Resident(app, token_of=csrf_token_of)
    for _ in range(2):
        assert visitor.walk("enquiry").status_code == 303
    refused = visitor.walk("enquiry")
    assert refused.status_code == 429
    assert "a lot of forms" in text(refused) and "When is my bin collected?" in text(refused)
    other = Resident(app, token_of=csrf_token_of)
    other.client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other.walk("enquiry").status_code == 303  # another client is not held back
    engines.database(app).dispose()


# -- CSRF: every POST of the site needs a token; without one, a kind page that keeps what was typed --------

POSTS = {
    "/contact": {"step": "about", "details": "Typed with care"},
    "/complain": {"step": "about", "details": "Typed with care"},
    "/complain/stage-2": {"reference": "BK-7KQ4-M9XR", "details": "Typed with care"},
    "/ask-for-another-format": {"step": "about", "details": "Typed with care"},
    "/compliment": {"step": "about", "details": "Typed with care"},
    "/track": {"reference": "BK-7KQ4-M9XR", "email_or_postcode": "Typed with care"},
    "/feedback": {"path": "/a-to-z", "useful": "no"},
    "/feedback/comments": {"path": "/a-to-z", "token": "x", "went_wrong": "Typed with care"},
    "/settings": {"text": "large"},
    "/settings/reset": {},
    "/staff/login": {"email": "Typed with care", "password": "secret password"},
    "/staff/logout": {},
    "/staff/log": {"details": "Typed with care"},
    "/staff/cases/1/answer": {"answer": "Typed with care"},
}


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("path", list(POSTS))
def test_a_post_without_a_token_is_refused_kindly(app, path, htmx):
    client = app.test_client()
    response = client.post(path, data=POSTS[path], headers=HX if htmx else {})
    assert response.status_code == 400
    page = text(response)
    assert "Sorry, your form was not sent" in page and "Send it again" in page
    assert "secret password" not in page  # passwords are never sent back
    if "Typed with care" in str(POSTS[path]):
        assert page.count("Typed with care") >= 2  # shown to copy, and in the form that sends it again
    if htmx:
        assert response.headers["HX-Retarget"] == "#main-content" and "<html" not in page


def test_send_it_again_sends_the_same_answers_with_a_fresh_token(app):
    client = app.test_client()
    refused = client.post("/contact", data={"step": "about", "details": "Typed with care"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(refused)).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', text(refused)))
    fields["csrf_token"] = token
    fields.pop("path", None)
    again = client.post("/contact", data=fields)
    assert again.status_code == 200 and "How can we reply to you?" in text(again)
    assert carried(again)["details"] == "Typed with care"


def test_a_token_from_another_browser_is_refused(app, resident):
    visitor, other = resident(), resident()
    response = other.client.post("/contact", data={"csrf_token": visitor.token, "step": "about", "details": "x"})
    assert response.status_code == 400


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(app):
    plain = app.test_client().get("/contact")
    cookie = next(value for key, value in plain.headers.items() if key == "Set-Cookie" and "townhall_session" in value)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client().get("/contact", base_url="https://localhost")
    cookie = next(value for key, value in secure.headers.items()
                  if key == "Set-Cookie" and "townhall_session" in value)
    assert "Secure" in cookie and "HttpOnly" in cookie


# -- dates on the confirmation page: worked out by hand from the calendar -----------------------------------

@pytest.mark.parametrize("kind, sent, reply_by, words", [
    # Thursday 2 April 2026, 10am; Good Friday is 3 April and Easter Monday 6 April. 10 working days:
    # 7, 8, 9, 10, 13, 14, 15, 16, 17, 20 April.
    ("enquiry", datetime(2026, 4, 2, 10, 0), "Monday 20 April 2026",
     ["Friday 3 April 2026: Good Friday (bank holiday)", "Monday 6 April 2026: Easter Monday (bank holiday)"]),
    # Saturday 19 December 2026, 8pm: the clock starts on Monday 21 December. 5 working days for a complaint:
    # 22, 23, 24 December, then Christmas Day (Fri 25), Boxing Day's substitute (Mon 28), the office closure
    # (29 to 31) and New Year's Day (Fri 1 January) are skipped: 4 and 5 January.
    ("complaint", datetime(2026, 12, 19, 20, 0), "Tuesday 5 January 2027",
     ["You sent it at the weekend, so we count from Monday 21 December 2026.",
      "Friday 25 December 2026: Christmas Day (bank holiday)",
      "Monday 28 December 2026: Boxing Day (observed) (bank holiday)",
      "Tuesday 29 December 2026 to Thursday 31 December 2026: Office closed between Christmas and New Year",
      "Friday 1 January 2027: New Year's Day (bank holiday)"]),
    # Friday 1 May 2026, 6pm (after the offices close); Monday 4 May is the early May bank holiday, so the
    # clock starts on Tuesday 5 May. 10 working days: 6, 7, 8, 11, 12, 13, 14, 15, 18, 19 May.
    ("enquiry", datetime(2026, 5, 1, 18, 0), "Tuesday 19 May 2026",
     ["You sent it after 5pm, so we count from Tuesday 5 May 2026.", "Monday 4 May 2026: May Day (bank holiday)"]),
    # Saturday 29 August 2026; Monday 31 August is the summer bank holiday: the clock starts on Tuesday
    # 1 September. 10 working days: 2, 3, 4, 7, 8, 9, 10, 11, 14, 15 September.
    ("format_request", datetime(2026, 8, 29, 11, 0), "Tuesday 15 September 2026",
     ["Monday 31 August 2026: Late Summer Bank Holiday (bank holiday)"]),
    # Tuesday 29 December 2026, 9am: a closure day, so the clock starts on Monday 4 January 2027.
    # 10 working days: 5, 6, 7, 8, 11, 12, 13, 14, 15, 18 January.
    ("enquiry", datetime(2026, 12, 29, 9, 0), "Monday 18 January 2027",
     ["You sent it on a day our offices were closed (Office closed between Christmas and New Year), so we "
      "count from Monday 4 January 2027."]),
])
def test_the_reply_date_is_in_words_and_names_the_days_it_skipped(resident, at, kind, sent, reply_by, words):
    at(sent.replace(tzinfo=LONDON))
    page = visible(resident().confirmation(kind))
    assert f"We will reply by {reply_by}." in page
    for sentence in words:
        assert sentence in page


def test_a_date_that_skips_nothing_names_no_days(resident, at):
    at(datetime(2026, 3, 9, 10, 0, tzinfo=LONDON))
    page = visible(resident().confirmation("enquiry"))
    assert "The date skips these days" not in page and "we count from" not in page


def test_welsh_dates_and_days_off_are_in_welsh(resident, at):
    at(datetime(2026, 4, 2, 10, 0, tzinfo=LONDON))
    page = visible(resident("cy").confirmation("enquiry"))
    assert "Dydd Llun 20 Ebrill 2026" in page
    assert "Dydd Gwener 3 Ebrill 2026: Dydd Gwener y Groglith" in page


# -- tracking ---------------------------------------------------------------------------------------------

def sent_reference(resident, kind="enquiry", lang="en") -> str:
    return reference_of(resident(lang).confirmation(kind))


@pytest.mark.parametrize("htmx", [False, True])
def test_track_with_the_email_address_or_the_postcode(resident, htmx):
    reference = sent_reference(resident)
    visitor = resident(htmx=htmx)
    for proof in ("jo@example.com", "BK11AA", " bk1 1aa "):
        page = visitor.post("/track", {"reference": reference.lower().replace("-", " "), "email_or_postcode": proof})
        assert page.status_code == 200, errors_in(page)
        words = visible(page) if not htmx else " ".join(re.sub(r"<[^>]+>", " ", text(page)).split())
        assert reference in words and "We received it" in words and "We told you we have it" in words
        assert "We will reply by Monday 23 March 2026" in words


def test_wrong_details_get_one_answer_that_never_says_which_part_was_wrong(resident):
    reference = sent_reference(resident)
    visitor = resident()
    answers = set()
    for typed, proof in ((reference, "someone@else.example"), ("BK-3333-4444", "jo@example.com"),
                         (reference, "BK2 2BB")):
        page = visitor.post("/track", {"reference": typed, "email_or_postcode": proof})
        assert page.status_code == 400
        answers.add(errors_in(page)["reference"])
    assert len(answers) == 1


def test_wrong_guesses_are_limited_and_then_even_right_ones_wait(make_quick_app, csrf_token_of):
    app = make_quick_app(TOWNHALL_TRACK_RATE_LIMIT=3, TOWNHALL_OUTBOX_INTERVAL=0)
    visitor = Resident(app, token_of=csrf_token_of)
    reference = reference_of(visitor.confirmation("enquiry"))
    right = {"reference": reference, "email_or_postcode": "jo@example.com"}
    for _ in range(5):
        assert visitor.post("/track", right).status_code == 200  # right answers are never counted
    for _ in range(3):
        assert visitor.post("/track", {"reference": "BK-3333-4444", "email_or_postcode": "x@y.example"}).status_code == 400
    refused = visitor.post("/track", right)
    assert refused.status_code == 429 and "tried too many times" in text(refused)
    assert reference not in visible(refused).replace(f'value="{reference}"', "")  # the typed value only
    engines.database(app).dispose()


def test_an_overdue_case_apologises_and_a_new_date_is_explained(app, resident, at):
    from townhall.cases import set_new_date
    from townhall.cases.staff import create_staff

    reference = sent_reference(resident)
    at(datetime(2026, 3, 25, 10, 0, tzinfo=LONDON))  # the reply was due on Monday 23 March
    proof = {"reference": reference, "email_or_postcode": "jo@example.com"}
    late = visible(resident().post("/track", proof))
    assert "We are sorry: we have not replied by the date we gave you" in late
    assert "We should have replied by Monday 23 March 2026" in late
    with app.app_context():
        database, casework = engines.database(), engines.casework()
        case_id = next(case.id for case in cases(app) if case.reference == reference)
        moment = datetime(2026, 3, 25, 11, 0, tzinfo=LONDON)
        staff_id = database.transaction(lambda s: create_staff(
            s, email=f"late-{reference}@council.example", name="Casey", role="customer_service",
            password="correct horse battery", now=moment).id)
        database.transaction(lambda s: set_new_date(s, casework, case_id, staff_id=staff_id, now=moment,
                                                    new_date=datetime(2026, 4, 1).date(),
                                                    reason="We are waiting for the crew's report"))
    later = visible(resident().post("/track", proof))
    assert "We need more time" in later and "We will now reply by Wednesday 1 April 2026" in later
    assert "We are waiting for the crew's report" in later


# -- stage 2 ----------------------------------------------------------------------------------------------

def test_stage_two_with_the_stage_one_reference(app, resident):
    stage_one = sent_reference(resident, "complaint")
    visitor = resident()
    page = visitor.post("/complain/stage-2", {"reference": stage_one, "email_or_postcode": "BK1 1AA",
                                              "details": "The bin is still not collected"})
    assert page.status_code == 200 and "Check your answers" in text(page)
    sent = visitor.post("/complain/stage-2", {**carried_all(page), "go": "send"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/complain/confirmation")
    confirmation = visitor.client.get(sent.headers["Location"])
    words = visible(confirmation)
    assert "Stage 2 complaint sent" in words
    stage_two = reference_of(confirmation)
    assert stage_two != stage_one
    # 20 working days from Monday 9 March 2026: 6 April is Easter Monday and 3 April Good Friday.
    assert "We will reply by Wednesday 8 April 2026." in words


def carried_all(response) -> dict[str, str]:
    page = text(response)
    form = page[page.index("<main"):page.index("</main>")]
    return {name: htmllib.unescape(value) for name, value in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form) if name != "csrf_token"}


def test_stage_two_with_wrong_details_says_so_without_saying_which(resident):
    stage_one = sent_reference(resident, "complaint")
    visitor = resident()
    answer = visitor.post("/complain/stage-2", {"reference": stage_one, "email_or_postcode": "no@one.example",
                                                "details": "x", "go": "send"})
    assert answer.status_code == 400
    assert errors_in(answer)["reference"].startswith("We could not find a stage 1 complaint")


def test_stage_two_of_an_enquiry_is_explained(resident):
    enquiry = sent_reference(resident, "enquiry")
    answer = resident().post("/complain/stage-2", {"reference": enquiry, "email_or_postcode": "jo@example.com",
                                                   "details": "x", "go": "send"})
    assert answer.status_code == 409
    assert errors_in(answer)["reference"] == "Only a stage 1 complaint can go to stage 2"


# -- emails -----------------------------------------------------------------------------------------------

def test_the_acknowledgement_is_in_the_residents_language_and_written_to_the_outbox_folder(app, resident):
    reference = sent_reference(resident, "enquiry", lang="cy")
    with engines.database(app).read_session() as session:
        message = session.scalar(select(OutboxMessage).join(Case, OutboxMessage.case_id == Case.id)
                                 .where(Case.reference == reference))
    assert message.language == "cy" and message.kind == "acknowledgement"
    assert reference in message.subject and "Mae gennym eich ymholiad" in message.subject
    assert "Dydd Llun 23 Mawrth 2026" in message.text_body and message.html_body.startswith("<!doctype html>")
    assert "https://www.brackenford.example/cy/track" in message.text_body
    with app.app_context():
        report = engines.outbox().send_now()
    assert report.sent >= 1
    folder = app.config["TOWNHALL_OUTBOX_FOLDER"]
    import email
    from pathlib import Path

    found = [email.message_from_bytes(path.read_bytes()) for path in Path(folder).glob("*.eml")]
    mine = [mail for mail in found if reference in str(mail["Subject"])]
    assert len(mine) == 1 and mine[0]["Content-Language"] == "cy"
    assert mine[0]["From"].startswith("Brackenford District Council <no-reply@www.brackenford.example>")


def test_emails_carry_no_case_for_a_resident_who_gave_no_address(app, resident):
    visitor = resident()
    sent = visitor.confirmation("enquiry", you={"name": "Sam", "contact_preference": "phone",
                                                "phone": "07700 900 982"})
    reference = reference_of(sent)
    assert "write down your reference number" in visible(sent)
    with engines.database(app).read_session() as session:
        count = session.scalar(select(func.count()).select_from(OutboxMessage).join(Case, OutboxMessage.case_id == Case.id)
                               .where(Case.reference == reference))
    assert count == 0
