"""The places pages in a real browser: axe on every kind of answer, the htmx and
no-JavaScript journeys, focus and announcements after a swap, and "use my location".

Uses the foundation's browser fixtures (tests/browser/conftest.py): open_page, axe,
browser and live_server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from townhall.preferences import Preferences

if not Path(__file__).with_name("conftest.py").exists():
    pytest.skip("the foundation's browser fixtures are not here", allow_module_level=True)

pytestmark = pytest.mark.browser

ANSWER_PAGES = [
    "/your-area?postcode=BK1+1AA",
    "/find-my-nearest?category=libraries&postcode=BK1+1AA",
    "/find-my-nearest?category=clubs-and-societies&postcode=BK5+2ZE",
    "/school-catchment-areas?postcode=BK1+1AA",
    "/wards/BKWD01",
    "/your-area?postcode=not+a+postcode",  # error summary and field error
    "/your-area?postcode=SW1A+1AA",  # outside our area
    "/cy/find-my-nearest?category=libraries&postcode=BK1+1AA",
]
MODES = [
    Preferences(),
    Preferences(colours="high-contrast", text="larger"),
    Preferences(colours="dark", spacing="wider"),
    Preferences(colours="yellow-on-black", text="large"),
    Preferences(colours="cream"),
]


def sideways_overflow(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("url", ANSWER_PAGES)
def test_every_kind_of_answer_passes_axe(open_page, axe, describe_violations, url, width):
    page = open_page(url, width=width)
    violations = axe(page)
    assert not violations, describe_violations(violations)
    assert not sideways_overflow(page)


@pytest.mark.parametrize("preferences", MODES, ids=lambda p: p.html_classes().replace(" ", "+") or "default")
def test_answers_in_every_display_mode(open_page, axe, describe_violations, preferences):
    for url in ANSWER_PAGES[1:2] + ANSWER_PAGES[3:4]:
        for width in (320, 1280):
            page = open_page(url, width=width, preferences=preferences)
            violations = axe(page)
            assert not violations, f"{url} at {width}px: " + describe_violations(violations)
            assert not sideways_overflow(page), f"{url} overflows at {width}px"


def test_htmx_answer_is_inline_its_heading_focused_and_the_count_announced(open_page, axe, describe_violations):
    page = open_page("/find-my-nearest")
    page.wait_for_function("() => window.htmx !== undefined")
    page.select_option("#category", "libraries")
    page.fill("#postcode", "bk1 1aa")
    with page.expect_response(lambda response: "find-my-nearest?" in response.url) as response:
        page.click(".th-places-form button[type=submit]")
    assert response.value.request.headers.get("hx-request") == "true"
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'answer-heading'")
    assert page.inner_text("#answer-heading") == "Nearest libraries to BK1 1AA"
    # Focus makes a screen reader say the heading; the live region says only how much was found.
    page.wait_for_function("() => document.getElementById('th-announcer').textContent.includes('5 places found')")
    assert "Nearest libraries" not in page.inner_text("#th-announcer")
    assert "category=libraries" in page.url and "postcode=bk1%201aa" in page.url.lower()
    assert page.locator(".th-places-result").count() == 5
    violations = axe(page)
    assert not violations, describe_violations(violations)


def ask_with_htmx(open_page, url, postcode):
    """Open a places page once htmx is ready and send a postcode through its form (the answer is swapped in)."""
    page = open_page(url)
    page.wait_for_function("() => window.htmx !== undefined")
    page.fill("#postcode", postcode)
    page.click(".th-places-form button[type=submit]")
    return page


def test_htmx_error_moves_focus_to_the_error_summary(open_page):
    page = ask_with_htmx(open_page, "/your-area", "hello")
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('th-error-summary')")
    assert "is not a postcode" in page.inner_text(".th-error-summary")
    assert page.locator("#postcode-error").is_visible()


def test_without_javascript_the_form_gives_a_whole_page(open_page):
    page = open_page("/school-catchment-areas", javascript=False)
    assert page.locator("[data-use-location]").is_hidden()  # no script, no location button
    page.fill("#postcode", "BK1 1AA")
    page.click(".th-places-form button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Check your school catchment area"
    assert "School catchment areas for BK1 1AA" in page.inner_text("#answer-heading")
    assert "is in the catchment area of" in page.content()


def test_keyboard_only_journey(open_page):
    page = open_page("/your-area")
    page.wait_for_function("() => window.htmx !== undefined")
    page.focus("#postcode")
    page.keyboard.type("BK1 1AA")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'answer-heading'")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.tagName")
    assert focused == "A"  # the next stop is a link in the answer, not back at the top


def test_use_my_location(browser, live_server, axe, describe_violations):
    from townhall.config import PROJECT_ROOT
    from townhall.places.engine import Places

    location = Places.open(PROJECT_ROOT / "geodata", council="x").locate("BK1 1AA")
    context = browser.new_context(base_url=live_server, geolocation={"latitude": location.lat, "longitude": location.lon},
                                  permissions=["geolocation"], viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto("/your-area")
        button = page.locator("[data-use-location]")
        button.wait_for(state="visible")
        button.click()
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'answer-heading'")
        assert page.inner_text("#answer-heading") == "Information for your location"
        assert "Brackenford Central" in page.inner_text(".th-places-areas")
        violations = axe(page)
        assert not violations, describe_violations(violations)
    finally:
        context.close()


def test_location_refused_falls_back_to_the_postcode_box(browser, live_server):
    context = browser.new_context(base_url=live_server, permissions=[])
    try:
        page = context.new_page()
        page.goto("/find-my-nearest")
        page.locator("[data-use-location]").click()
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'postcode'")
        page.wait_for_function("() => document.getElementById('th-announcer').textContent.includes('Type your postcode')")
    finally:
        context.close()


def test_outside_our_area_after_a_swap_links_to_find_your_council(open_page):
    page = ask_with_htmx(open_page, "/your-area", "SW1A 1AA")
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('#outside')")
    link = page.locator("#outside a[href='https://www.gov.uk/find-local-council']")
    assert link.is_visible()
    page.wait_for_timeout(400)
    assert "outside" not in page.inner_text("#th-announcer")


def test_no_request_leaves_our_host(open_page, live_server):
    from urllib.parse import urlsplit

    requests: list[str] = []
    open_page("/find-my-nearest?category=libraries&postcode=BK1+1AA", record=requests)
    host = urlsplit(live_server).netloc
    assert requests and all(urlsplit(url).netloc == host or url.startswith("data:") for url in requests)
