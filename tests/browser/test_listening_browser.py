"""The forms in a real browser at 320 px with the largest text: each form walked with JavaScript on and off,
in English and Welsh, with axe on every page including the error states; htmx's focus and live region;
conditional questions without JavaScript; page feedback; tracking; and the staff queue and case page."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher

from townhall import engines
from townhall.cases import create_staff
from townhall.cases.models import utcnow
from townhall.preferences import COOKIE_NAME, Preferences

LARGEST = Preferences(text="larger")
NARROW = {"width": 320, "height": 720, "preferences": LARGEST}
FORMS = {
    "enquiry": ("/contact", {"#details": "When is my bin collected?"}),
    "complaint": ("/complain", {"#details": "My bin was missed three times.", "#desired_outcome": "Collect it"}),
    "format_request": ("/ask-for-another-format", {"#details": "The Council Tax leaflet"}),
    "compliment": ("/compliment", {"#details": "The library staff were wonderful."}),
}
REFERENCE = re.compile(r"^[A-Z]{2}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


def overflow(page) -> list[str]:
    """Elements wider than the viewport (content that would need sideways scrolling at 320 px)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [];
            if (document.documentElement.scrollWidth > width + 1) wide.push('document ' + document.documentElement.scrollWidth);
            for (const el of document.querySelectorAll('main *, aside *')) {
                if (el.closest('.th-visually-hidden')) continue;
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + 1 && getComputedStyle(el).position !== 'absolute')
                    wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + Math.round(box.right));
            }
            return wide.slice(0, 5);
        }"""
    )


@pytest.fixture
def checked(axe, describe_violations, browser, live_server):
    """Axe and reflow on the page as it is now; `where` names the step for the failure message.

    axe needs JavaScript, which a page opened without it cannot run (its promise never settles). So a page
    without JavaScript is checked as served: its HTML, as the server sent it, is opened in a second
    JavaScript-enabled page at the same address and size, with our own script replaced by nothing.
    """
    def check(page, where: str, javascript: bool = True) -> None:
        target, context = page, None
        if not javascript:
            html, address = page.content(), page.url.split("#")[0]
            context = browser.new_context(viewport=page.viewport_size, base_url=live_server)
            context.add_cookies([{"name": COOKIE_NAME, "value": LARGEST.cookie_value(), "url": live_server}])
            target = context.new_page()
            target.route("**/assets/*.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
            target.route(address, lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"))
            target.goto(address)
        try:
            violations = axe(target)
            assert not violations, f"{where}:\n{describe_violations(violations)}"
            assert not overflow(target), f"{where}: {overflow(target)}"
        finally:
            if context is not None:
                context.close()
    return check


def continue_(page, javascript: bool, button: str = "button[value=continue]") -> None:
    """Press the form's button: a whole new page without JavaScript, a swap of <main> with it."""
    if javascript:
        with page.expect_response(lambda response: response.request.method == "POST"):
            page.click(button)
        page.wait_for_timeout(150)  # htmx settles, then our script moves focus
    else:
        with page.expect_navigation():
            page.click(button)


def focused(page) -> str:
    return page.evaluate("""() => { const e = document.activeElement;
        return e ? (e.className + ' ' + e.tagName.toLowerCase()) : ''; }""")


@pytest.mark.parametrize("kind, lang, javascript", [
    (kind, lang, javascript) for kind in FORMS for lang, javascript in (("en", True), ("cy", False))
] + [("enquiry", "cy", True), ("enquiry", "en", False)])
def test_each_form_walked_at_320px_with_the_largest_text(open_page, checked, kind, lang, javascript):
    path, about = FORMS[kind]
    prefix = "" if lang == "en" else "/cy"
    page = open_page(prefix + path, javascript=javascript, **NARROW)
    checked(page, "question page", javascript)
    continue_(page, javascript)  # nothing typed: the error state
    summary = page.locator(".th-error-summary")
    assert summary.is_visible() and page.title().startswith(("Error:", "Gwall:"))
    if javascript:
        assert "th-error-summary" in focused(page)  # our script moves focus to the summary
    checked(page, "question page with errors", javascript)
    summary.locator("a").first.click()
    assert page.evaluate("() => document.activeElement.id") in ("details", "format-large_print")
    if kind == "format_request":
        assert not page.locator("#format_language").is_visible()  # revealed only by its choice
        page.check("#format-spoken_language")
        assert page.locator("#format_language").is_visible()
        page.fill("#format_language", "Polish")
    for selector, value in about.items():
        page.fill(selector, value)
    continue_(page, javascript)
    assert page.locator("#name").is_visible()
    if javascript:
        assert page.title().startswith(("How can we reply", "Sut gallwn ni")) and focused(page).endswith("h1")
    assert not page.locator("#email").is_visible()
    page.check("#contact_preference-email")
    assert page.locator("#email").is_visible()  # CSS reveals the box, JavaScript or not
    page.fill("#name", "Jo Bloggs")
    page.fill("#email", "jo@example")  # not yet right
    continue_(page, javascript)
    assert page.locator("#email-error").is_visible()
    checked(page, "contact details with errors", javascript)
    page.fill("#email", "jo@example.com")
    page.fill("#postcode", "bk1 1aa")
    continue_(page, javascript)
    assert page.locator(".th-summary-list").first.is_visible()
    checked(page, "check your answers", javascript)
    with page.expect_navigation():  # sending is a new page (htmx is told to load it whole)
        page.click("button[value=send]")
    page.wait_for_url("**/confirmation")
    assert REFERENCE.match(page.locator("#reference").inner_text())
    checked(page, "confirmation", javascript)


def test_stage_two_and_tracking_in_welsh_with_javascript(open_page, checked, live_server):
    page = open_page("/cy/track", **NARROW)
    checked(page, "track")
    page.fill("#reference", "BK-3333-4444")
    page.fill("#email_or_postcode", "neb@example.com")
    continue_(page, True, "main button[type=submit]")
    assert page.locator("#reference-error").is_visible() and "th-error-summary" in focused(page)
    checked(page, "track, not found")
    stage_two = open_page("/cy/complain/stage-2", **NARROW)
    checked(stage_two, "stage 2")
    continue_(stage_two, True, "main button[value=continue]")
    assert stage_two.locator(".th-error-summary").is_visible()
    checked(stage_two, "stage 2 with errors")


def test_tracking_a_case_without_javascript(open_page, checked):
    page = open_page("/contact", javascript=False, **NARROW)
    page.fill("#details", "Where is my bin?")
    continue_(page, False)
    page.fill("#name", "Jo")
    page.check("#contact_preference-letter")
    page.fill("#address", "1 High Street")
    page.fill("#postcode", "BK1 1AA")
    continue_(page, False)
    with page.expect_navigation():
        page.click("button[value=send]")
    reference = page.locator("#reference").inner_text()
    page.click("a[href^='/track']")
    assert page.locator("#reference").input_value() == reference
    page.fill("#email_or_postcode", "bk11aa")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.locator("h1").inner_text().endswith(reference)
    checked(page, "tracked case", javascript=False)


@pytest.mark.parametrize("javascript", [True, False])
def test_page_feedback_no_then_comments(open_page, checked, javascript):
    page = open_page("/a-to-z", javascript=javascript, **NARROW)
    page.locator("#page-feedback").scroll_into_view_if_needed()
    if javascript:
        page.click("#page-feedback button[value=no]")
        page.wait_for_selector("#trying_to")
        # Focus moves once htmx has settled the swap, a moment after the new content is there.
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'page-feedback-heading'",
                               timeout=5000)
        assert page.url.endswith("/a-to-z")  # the page stays; the box changes in place
        checked(page, "feedback questions in place")
        page.fill("#went_wrong", "Could not find recycling. Email me: jo@example.com")
        page.click("#page-feedback button[type=submit]")
        page.wait_for_function("() => document.getElementById('th-announcer').textContent.includes('Thank you')")
        # Focus moves once htmx has settled the swap, a moment after the new content is there.
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'page-feedback-heading'",
                               timeout=5000)
    else:
        with page.expect_navigation():
            page.click("#page-feedback button[value=no]")
        checked(page, "feedback questions page", javascript=False)
        page.fill("#went_wrong", "Could not find recycling")
        with page.expect_navigation():
            page.click("#page-feedback button[type=submit]")
        assert "Thank you for your feedback" in page.locator("h1").inner_text()
        page.click("text=Go back to the page you were on")
        page.wait_for_url("**/a-to-z")


@pytest.fixture(scope="module")
def staff_account(app):
    with app.app_context():
        engines.database().transaction(lambda session: create_staff(
            session, email="browser@council.example", name="Browser", role="admin",
            password="correct horse battery", now=utcnow(),
            hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)))
    return "browser@council.example"


@pytest.mark.parametrize("javascript", [True, False])
def test_the_staff_queue_and_a_case_at_320px(open_page, checked, staff_account, javascript):
    page = open_page("/staff/login", javascript=javascript, **NARROW)
    checked(page, "staff login", javascript)
    page.fill("#email", staff_account)
    page.fill("#password", "correct horse battery")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.wait_for_url("**/staff/queue")
    assert page.locator("#queue-count").is_visible()
    checked(page, "queue", javascript)
    page.select_option("#kind", "enquiry")
    if javascript:
        with page.expect_response(lambda response: "/staff/queue?" in response.url):
            page.click("button:has-text('Show cases')")
        page.wait_for_timeout(150)
        assert "kind=enquiry" in page.url  # the filtered queue has its own address
    else:
        with page.expect_navigation():
            page.click("button:has-text('Show cases')")
    checked(page, "filtered queue", javascript)
    first = page.locator(".th-queue__title a").first
    if first.count():
        with page.expect_navigation():
            first.click()
        page.click("summary:has-text('Close the case')")
        with page.expect_navigation():
            page.click("#action-close button[type=submit]")
        assert page.locator(".th-error-summary").is_visible()
        checked(page, "case page with an error", javascript)
