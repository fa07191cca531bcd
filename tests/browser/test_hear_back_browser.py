""""When will I hear back?" in a real browser: axe at 320 px in the largest text and a dark scheme, in Welsh, with
an error, the htmx answer swapped in place with focus on its heading and the date said in the live region, and
the same form without JavaScript. Plus the content team's insights page at 320 px.

Uses the foundation's browser fixtures (tests/browser/conftest.py): open_page, axe, browser and live_server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from townhall import engines
from townhall.cases import create_staff
from townhall.cases.models import utcnow
from townhall.preferences import Preferences

if not Path(__file__).with_name("conftest.py").exists():
    pytest.skip("the foundation's browser fixtures are not here", allow_module_level=True)

pytestmark = pytest.mark.browser

PAGE = "/when-will-i-hear-back"
ANSWERED = f"{PAGE}?contact=email&sent-day=1&sent-month=12&sent-year=2026"
ERROR = f"{PAGE}?contact=email&sent-day=31&sent-month=2&sent-year=2026"
PAGES = [PAGE, ANSWERED, ERROR, f"/cy{ANSWERED}", f"/cy{ERROR}", f"{PAGE}?contact=voicemail&sent-day=5&sent-month=12&sent-year=2026"]
LARGEST_DARK = Preferences(colours="dark", text="larger", spacing="wider")


def sideways_overflow(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("mode", ["default", "largest-dark", "system-dark"])
def test_axe_at_320px_in_the_largest_text_and_a_dark_scheme(open_page, axe, describe_violations, url, mode):
    page = open_page(url, width=320, preferences=LARGEST_DARK if mode == "largest-dark" else None,
                     color_scheme="dark" if mode == "system-dark" else "light")
    violations = axe(page)
    assert not violations, f"{url} ({mode}): " + describe_violations(violations)
    assert not sideways_overflow(page), f"{url} overflows at 320px ({mode})"


def test_welsh_page_is_marked_welsh_and_names_the_welsh_days(open_page):
    page = open_page(f"/cy{PAGE}?contact=email&sent-day=24&sent-month=12&sent-year=2026", width=320)
    assert page.get_attribute("html", "lang") == "cy"
    assert "Dydd Nadolig" in page.inner_text("main")


def test_an_error_is_summarised_focused_and_linked_to_the_first_box(open_page):
    page = open_page(ERROR, width=320)
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('th-error-summary')")
    assert page.title().startswith("Error:")
    page.click(".th-error-summary a")
    assert page.evaluate("() => document.activeElement.id") == "sent-day"


def test_htmx_answers_in_place_with_focus_on_the_heading_and_a_polite_announcement(open_page, axe, describe_violations):
    page = open_page(PAGE)
    page.wait_for_function("() => window.htmx !== undefined")
    page.check("#contact-web_form")
    with page.expect_response(lambda response: "when-will-i-hear-back?" in response.url) as response:
        page.click(".th-hear-back-form button[type=submit]")
    assert response.value.request.headers.get("hx-request") == "true"
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'answer-heading'")
    assert page.inner_text("#answer-heading").startswith("If you sent it on")
    page.wait_for_function("() => document.getElementById('th-announcer').textContent.startsWith('Reply by')")
    assert page.get_attribute("#th-announcer", "aria-live") == "polite"
    assert "contact=web_form" in page.url  # the answer has its own address
    assert page.locator("h1").count() == 1
    violations = axe(page)
    assert not violations, describe_violations(violations)


def test_htmx_error_moves_focus_to_the_error_summary(open_page):
    page = open_page(PAGE)
    page.wait_for_function("() => window.htmx !== undefined")
    page.fill("#sent-day", "31")
    page.fill("#sent-month", "2")
    page.click(".th-hear-back-form button[type=submit]")
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('th-error-summary')")
    assert "Select how you contacted us" in page.inner_text(".th-error-summary")
    assert page.title().startswith("Error:")


def test_without_javascript_the_form_gives_a_whole_page(open_page):
    page = open_page(PAGE, javascript=False, width=320)
    page.check("#contact-letter")
    with page.expect_navigation():
        page.click(".th-hear-back-form button[type=submit]")
    assert page.inner_text("h1") == "When will I hear back?"
    assert "not the day you post it" in page.inner_text("main")


@pytest.fixture(scope="module")
def content_account(app):
    with app.app_context():
        engines.database().transaction(lambda session: create_staff(
            session, email="insights@council.example", name="Insights", role="content",
            password="correct horse battery", now=utcnow(),
            hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)))
    return "insights@council.example"


def test_the_insights_page_at_320px_in_the_largest_text(open_page, axe, describe_violations, content_account):
    page = open_page("/staff/login", width=320, preferences=LARGEST_DARK)
    page.fill("#email", content_account)
    page.fill("#password", "correct horse battery")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto("/staff/insights")
    assert page.inner_text("h1") == "What residents looked for"
    violations = axe(page)
    assert not violations, describe_violations(violations)
    assert not sideways_overflow(page)


def test_following_a_search_result_pings_even_without_javascript(open_page):
    """The insights' click count: the result link's `ping` is sent by the browser itself, and the link
    still goes straight to the page."""
    requests: list[str] = []
    page = open_page("/search?q=missed+bin", javascript=False, record=requests)
    first = page.locator(".th-result__title a").first
    href = first.get_attribute("href")
    assert href.startswith("/services/") and first.get_attribute("ping") == "/search/followed?q=missed+bin"
    with page.expect_request(lambda request: "/search/followed" in request.url) as ping:
        with page.expect_navigation():
            first.click()
    assert ping.value.method == "POST"
    assert page.url.endswith(href)
