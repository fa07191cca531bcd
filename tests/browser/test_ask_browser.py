"""Ask Townhall in a real browser: axe at 320 px, the largest text, a dark scheme and Welsh; the plain-form
conversation without JavaScript; with htmx, the new turn appended in place and focus on its heading.

Conversation pages are reached by submitting the form (the conversation is POSTed, never in an address).
"""

from __future__ import annotations

import pytest

from townhall.config import PROJECT_ROOT
from townhall.preferences import Preferences

pytestmark = pytest.mark.browser

HTMX = PROJECT_ROOT / "site" / "townhall" / "static" / "vendor" / "htmx.min.js"
MODES = [
    Preferences(),
    Preferences(text="larger"),
    Preferences(colours="dark", text="larger"),
    Preferences(colours="high-contrast"),
]
QUESTIONS = [
    ("/ask", "who do I call about a gas smell"),  # an answer from the directory, with its contact details
    ("/ask", "when is my bin collected"),  # a question back for a postcode
    ("/ask", "my landlord wont fix the damp"),  # a question back with options
    ("/ask", "what is the meaning of life"),  # not sure
    ("/cy/ask", "sut mae talu treth y cyngor"),  # Welsh in, Welsh out
]


def sideways_overflow(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")


def ask(page, question: str) -> None:
    page.fill("#ask-q", question)
    page.click(".th-ask-form button[type=submit]:not([name])" if page.locator(
        ".th-ask-form button[type=submit]:not([name])").count() else ".th-ask-form button[type=submit]")


@pytest.mark.parametrize("preferences", MODES, ids=lambda p: p.html_classes().replace(" ", "+") or "default")
@pytest.mark.parametrize(("path", "question"), QUESTIONS)
def test_every_kind_of_turn_passes_axe_at_320px(open_page, axe, describe_violations, path, question, preferences):
    page = open_page(path, width=320, preferences=preferences)
    assert not axe(page)
    ask(page, question)
    page.wait_for_selector(".th-ask-turn")
    violations = axe(page)
    assert not violations, describe_violations(violations)
    assert not sideways_overflow(page)


def test_the_conversation_works_without_javascript_through_a_postcode(open_page):
    page = open_page("/ask", javascript=False)
    ask(page, "who is my councillor")
    page.wait_for_selector("#ask-postcode")
    page.fill("#ask-postcode", "BK1 1AA")
    page.click("text=Continue")
    page.wait_for_selector("#turn-2")
    assert "Brackenford Central ward" in page.inner_text("#turn-2")
    page.click("text=Step back")
    page.wait_for_selector("#turn-1")
    assert page.locator(".th-ask-turn").count() == 1


def test_htmx_appends_the_turn_moves_focus_and_announces_it(open_page, axe):
    if not HTMX.exists():
        pytest.skip("htmx is not copied into static/vendor (make assets)")
    page = open_page("/ask", width=320, preferences=Preferences(colours="dark", text="larger"))
    ask(page, "who do I call about a gas smell")
    page.wait_for_selector("#turn-1 h2")
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('#turn-1') !== null")
    assert page.evaluate("() => document.activeElement.tagName") == "H2"
    page.wait_for_function("() => /New answer/.test(document.getElementById('th-announcer').textContent)")
    ask(page, "when is my bin collected")
    page.wait_for_selector("#turn-2 h2")
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('#turn-2') !== null")
    assert page.locator(".th-ask-turn").count() == 2
    assert page.url.endswith("/ask")  # nothing typed goes into the address
    assert not axe(page)


@pytest.mark.parametrize("path", ["/", "/search", "/search?q=bins", "/cy/"])
def test_the_ask_box_on_the_home_and_search_pages(open_page, axe, describe_violations, path):
    page = open_page(path, width=320, preferences=Preferences(colours="dark", text="larger"))
    violations = axe(page)
    assert not violations, describe_violations(violations)
    assert not sideways_overflow(page)
    box = page.locator(".th-ask-box form")
    box.locator("input[name=q]").fill("who do I call about a gas smell")
    box.locator("button").click()
    page.wait_for_selector("#turn-1")
    assert "National Gas Emergency Service" in page.inner_text("#turn-1")


def test_an_answer_in_speech_mode_at_320px_with_its_player_open(open_page, axe, describe_violations):
    """Speech mode: the answer turn's Listen control (the section its passage came from) opens a player in place."""
    if not HTMX.exists():
        pytest.skip("htmx is not copied into static/vendor (make assets)")
    page = open_page("/ask", width=320, preferences=Preferences(speech="on", colours="dark", text="larger"))
    ask(page, "what if my bin is missed again")
    link = page.locator("#turn-1 .th-speech-source a.th-speech-section__link")
    link.wait_for()
    violations = axe(page)
    assert not violations, describe_violations(violations)
    assert not sideways_overflow(page)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#th-listen-turn-1 [data-speech-player][data-speech-ready]", timeout=60_000)
    assert page.evaluate("document.activeElement.matches('[data-speech-toggle]')")
    violations = axe(page)
    assert not violations, describe_violations(violations)
    assert not sideways_overflow(page)
