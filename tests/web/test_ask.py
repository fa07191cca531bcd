"""/ask, /cy/ask and /api/ask through the test client: plain forms, htmx turns, the JSON API."""

from __future__ import annotations

import re

import pytest

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _token(client, path: str = "/ask") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def test_empty_page_has_a_question_box(client):
    page = client.get("/ask")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'name="q"' in text and "<h1>Ask a question</h1>" in text
    assert "Set-Cookie" not in page.headers  # the public form token: no session, the page stays cacheable


def test_welsh_page(client):
    page = client.get("/cy/ask")
    assert page.status_code == 200
    assert 'lang="cy"' in page.get_data(as_text=True)


def test_a_question_is_answered_with_a_passage_and_a_link(client):
    page = client.post("/ask", data={"csrf_token": _token(client), "q": "who do I call about a gas smell"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "National Gas Emergency Service" in text
    assert "Read the full page" in text and "/directory/gas-emergency" in text
    assert "0800 111 999" in text  # the contact details of an organisation's answer


def test_postcode_follow_up_without_javascript(client):
    token = _token(client)
    first = client.post("/ask", data={"csrf_token": token, "q": "when is my bin collected"})
    text = first.get_data(as_text=True)
    assert "What is your postcode?" in text and 'name="postcode"' in text
    assert 'name="said" value="q:when is my bin collected"' in text
    second = client.post("/ask", data={"csrf_token": token, "said": "q:when is my bin collected", "postcode": "BK1 1AA"})
    text = second.get_data(as_text=True)
    assert second.status_code == 200
    assert "Your next collections" in text and "/bin-collections?postcode=BK1+1AA" in text
    assert text.count('class="th-ask-turn ') == 2  # both turns, rendered again from the page's own fields


def test_a_bad_postcode_asks_again_with_the_reason(client):
    page = client.post("/ask", data={"csrf_token": _token(client), "said": "q:who is my councillor",
                                     "postcode": "not a postcode"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "th-error-message" in text and 'name="postcode"' in text


def test_htmx_turn_is_only_the_new_turn_and_the_form(client, htmx_headers):
    page = client.post("/ask", data={"csrf_token": _token(client), "said": "q:when is my bin collected",
                                     "postcode": "BK1 1AA"}, headers=htmx_headers)
    text = page.get_data(as_text=True)
    assert "<html" not in text
    assert text.count("data-focus-here") == 1 and text.count("data-announce") == 1
    assert 'id="turn-2" data-announce' in text  # the new turn, appended; the one before is replaced without its marks
    assert 'id="turn-1" hx-swap-oob="outerHTML"' in text and '<div id="ask-form" hx-swap-oob="outerHTML"' in text


def test_turns_keep_their_numbers_after_the_page_drops_the_oldest(client, htmx_headers):
    token, said, earlier, seen = _token(client), [], "", []
    for number in range(1, 16):
        data = {"csrf_token": token, "said": said, "q": f"pothole {number}", **({"earlier": earlier} if earlier else {})}
        text = client.post("/ask", data=data, headers=htmx_headers).get_data(as_text=True)
        seen.append(re.search(r'id="turn-(\d+)" data-announce', text).group(1))
        form = text[text.index('<div id="ask-form"'):].split("</form>")[0]  # the question form's own fields
        said = re.findall(r'name="said" value="([^"]+)"', form)
        earlier = (re.findall(r'name="earlier" value="(\d+)"', form) or [""])[0]
    assert seen == [str(number) for number in range(1, 16)]  # never a repeated id, though the page keeps 12
    assert len(said) == 12 and earlier == "3"
    whole = client.post("/ask", data={"csrf_token": token, "said": said, "earlier": earlier, "action": "back"})
    assert 'id="turn-4"' in whole.get_data(as_text=True) and 'id="turn-1"' not in whole.get_data(as_text=True)
    odd = client.post("/ask", data={"csrf_token": token, "q": "bins", "earlier": "²99999999999"})
    assert odd.status_code == 200 and 'id="turn-1"' in odd.get_data(as_text=True)


def test_step_back_and_start_again(client):
    token = _token(client)
    page = client.post("/ask", data={"csrf_token": token, "said": ["q:power cut", "q:pothole"], "action": "back"})
    text = page.get_data(as_text=True)
    assert text.count('class="th-ask-turn ') == 1 and "Start again" in text


def test_not_sure_offers_the_closest_pages_and_who_to_contact(client):
    page = client.post("/ask", data={"csrf_token": _token(client), "q": "what is the meaning of life"})
    text = page.get_data(as_text=True)
    assert "not sure" in text and "/directory/not-sure" in text and "Contact us</a>" in text
    assert "Other ways to find an answer:" in text  # one whole sentence for translators, not fragments


def test_empty_question_is_a_kind_error_not_a_500(client):
    page = client.post("/ask", data={"csrf_token": _token(client), "q": "   "})
    assert page.status_code == 400
    assert "Type a question" in page.get_data(as_text=True)


def test_post_without_a_token_is_refused(client):
    assert client.post("/ask", data={"q": "pothole"}).status_code == 400


@pytest.mark.parametrize(("query", "kind"), [
    ("who do i call about a gas smell", "answer"), ("when is my bin collected", "question"),
    ("what is the meaning of life", "not_sure")])
def test_api_ask(client, query, kind):
    answer = client.get("/api/ask", query_string={"q": query, "lang": "en"})
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["kind"] == kind
    assert set(data) >= {"kind", "page", "passage", "options"}


def test_api_ask_with_a_postcode(client):
    data = client.get("/api/ask", query_string={"q": "who is my councillor", "postcode": "BK1 1AA"}).get_json()
    assert data["kind"] == "answer" and data["page"].startswith("/wards/")


def test_api_ask_in_welsh(client):
    data = client.get("/api/ask", query_string={"q": "sut mae talu treth y cyngor", "lang": "cy"}).get_json()
    assert data["kind"] == "answer" and data["page"] == "/cy/services/pay-your-council-tax"


@pytest.mark.parametrize(("query", "code"), [({"q": ""}, "no_question"), ({"q": "bins", "lang": "fr"}, "bad_language")])
def test_api_ask_errors_are_json(client, query, code):
    answer = client.get("/api/ask", query_string=query)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == code


def test_api_ask_is_in_the_openapi_document(client):
    document = client.get("/api/openapi.json").get_json()
    assert "/api/ask" in document["paths"] and "AskDecision" in document["components"]["schemas"]


def test_api_ask_on_the_welsh_site_links_to_welsh_addresses(client):
    data = client.get("/api/ask", query_string={"q": "who do I call about a gas smell", "lang": "cy"}).get_json()
    assert data["page"] == "/cy/directory/gas-emergency"


def test_contact_us_answers_with_the_opening_hours_and_whether_it_is_open(client):
    page = client.post("/ask", data={"csrf_token": _token(client), "q": "what is your phone number"})
    text = page.get_data(as_text=True)
    assert "Contact us" in text and ("Open now" in text or "Closed now" in text)


def test_other_capabilities_add_question_targets(make_quick_app):
    """The extension point guided answers use: a target with phrasings, a title and an address."""
    from townhall import engines
    from townhall.assistant import QuestionTarget
    from townhall.engines.assistant import add_question_targets

    app = make_quick_app()
    with app.app_context():
        before = engines.ask_townhall()
        add_question_targets(app, "guides", lambda: [QuestionTarget(
            ("is this tree my responsibility or the council's",), "Who is responsible for this tree?",
            "/ask/guides/trees", "en", "guide:trees", "guide")])
        after = engines.ask_townhall()
        assert after is not before  # remade with the new targets
        decision = after.ask("is this tree my responsibility or the councils")
    assert decision.kind == "answer" and decision.page.url == "/ask/guides/trees"


def test_a_guided_answer_answers_the_questions_it_lists(client):
    """A guide's own phrasings lead to the guide (no passage: its questions work the answer out)."""
    answer = client.get("/api/ask", query_string={"q": "who is responsible for this tree", "lang": "en"}).get_json()
    assert (answer["kind"], answer["page"]) == ("answer", "/ask/guides/who-looks-after-this")
    welsh = client.get("/api/ask", query_string={"q": "pwy sy'n gyfrifol am y goeden hon", "lang": "cy"}).get_json()
    assert (welsh["kind"], welsh["page"]) == ("answer", "/cy/ask/guides/who-looks-after-this")
    page = client.post("/ask", data={"csrf_token": _token(client), "q": "who looks after this road"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'href="/ask/guides/who-looks-after-this"' in text
    assert "Start: Who looks after" in text and "Read the full page" not in text


def test_the_ask_page_lists_the_guided_answers(client):
    english = client.get("/ask").get_data(as_text=True)
    assert 'href="/ask/guides/can-i-get-a-blue-badge"' in english and 'href="/ask/guides"' in english
    welsh = client.get("/cy/ask").get_data(as_text=True)
    assert 'href="/cy/ask/guides/can-i-get-a-blue-badge"' in welsh


def test_an_empty_question_with_htmx_swaps_only_the_form(client, htmx_headers):
    """The error comes back as the form alone, retargeted to replace itself: never a whole page in the list."""
    answer = client.post("/ask", data={"csrf_token": _token(client), "q": " "}, headers=htmx_headers)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert (answer.headers["HX-Retarget"], answer.headers["HX-Reswap"]) == ("#ask-form", "outerHTML")
    assert 'id="ask-form"' in text and "Type a question" in text and "<header" not in text and "<html" not in text


def test_a_question_typed_under_a_choice_wins_when_ask_is_pressed(client):
    token = _token(client)
    data = {"csrf_token": token, "said": "q:who do I call about a gas smell", "choice": "service:report-a-pothole",
            "q": "when is the library open", "ask": "q"}
    text = client.post("/ask", data=data).get_data(as_text=True)
    assert 'name="said" value="q:when is the library open"' in text
    assert 'value="choice:service:report-a-pothole"' not in text
