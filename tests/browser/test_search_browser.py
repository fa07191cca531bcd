"""Search and directory pages in a real browser: axe-core, keyboard-only live search, no JavaScript.

Uses the foundation's fixtures (tests/browser/conftest.py): the session app on a
local port, Debian's Chromium through Playwright, and axe-core's WCAG 2.2 A/AA rules.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from townhall.config import PROJECT_ROOT

pytestmark = pytest.mark.browser

HTMX = PROJECT_ROOT / "site" / "townhall" / "static" / "vendor" / "htmx.min.js"
PAGES = ["/search", "/search?q=bins", "/search?q=i+smell+gas", "/search?q=counsil+tax", "/search?q=zzqqxx",
         "/search?q=council&page=2", "/directory", "/directory/a-to-z", "/directory/not-sure", "/directory/nhs-111",
         "/directory/hm-passport-office", "/cy/search?q=bin", "/cy/directory/gas-emergency",
         "/search?q=BK1+1AA", "/cy/search?q=treth+gyngor", "/search?q=treth+gyngor", "/cy/search?q=bulky+waste",
         "/search?q=brackenford+library+opening+times", "/search?q=ward"]


def needs_htmx():
    if not HTMX.exists():
        pytest.skip("htmx is not copied into static/vendor (make assets)")


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_wcag_violations(open_page, axe, describe_violations, path, width):
    page = open_page(path, width=width)
    violations = axe(page)
    assert violations == [], describe_violations(violations)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways at {width}px"


def test_axe_on_results_swapped_in_by_htmx(open_page, axe):
    needs_htmx()
    page = open_page("/search")
    page.fill("#search-input", "power cut")
    page.wait_for_selector("#results-heading")
    assert axe(page) == []


def test_keyboard_only_live_search(open_page):
    needs_htmx()
    page = open_page("/search")
    for _ in range(30):  # from the top of the page, Tab until the search box has focus
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "search-input":
            break
    else:
        pytest.fail("the search box cannot be reached with the Tab key")
    page.keyboard.type("i smell gas", delay=60)
    page.wait_for_selector("#results-heading", timeout=10_000)
    # Live results never take focus away from the box the resident is typing in.
    assert page.evaluate("() => document.activeElement.id") == "search-input"
    assert page.input_value("#search-input") == "i smell gas"
    page.wait_for_function("() => /result/.test(document.getElementById('th-announcer').textContent)")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["i smell gas"]  # the address can be shared or bookmarked
    for _ in range(15):  # onwards to the first result, still by keyboard
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.closest('.th-result') !== null"):
            break
    else:
        pytest.fail("the results cannot be reached with the Tab key")
    assert page.evaluate("() => document.activeElement.textContent") == "National Gas Emergency Service"
    page.keyboard.press("Enter")
    page.wait_for_url("**/directory/gas-emergency")
    assert "0800 111 999" in page.inner_text("main")


def test_typing_replaces_the_address_and_searching_adds_one_history_entry(open_page):
    """Back must not step through "b", "bi", "bin": only pressing Search adds to the history.
    The tab's title says what the results are for, as after a full page load."""
    needs_htmx()
    page = open_page("/search")
    start = page.evaluate("() => history.length")
    for typed in ("b", "bi", "bin"):
        page.fill("#search-input", typed)
        page.wait_for_function("(q) => new URLSearchParams(location.search).get('q') === q", arg=typed)
        page.wait_for_function("(q) => document.title.includes('‘' + q + '’')", arg=typed)
    assert page.evaluate("() => history.length") == start
    # Search for what the address already shows: no second entry for the same page.
    page.keyboard.press("Enter")
    page.wait_for_timeout(800)
    assert page.evaluate("() => history.length") == start
    # New words, searched at once (before the live results): one new entry.
    page.fill("#search-input", "bins")
    page.keyboard.press("Enter")
    page.wait_for_function("(n) => history.length === n + 1", arg=start)
    page.wait_for_function("() => document.title.includes('‘bins’')")
    page.wait_for_timeout(800)  # the live request for "bins" comes too: it adds nothing
    assert page.evaluate("() => history.length") == start + 1
    page.go_back()
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'bin'")


def test_a_postcode_in_live_search_is_announced_with_its_link(open_page):
    needs_htmx()
    page = open_page("/search")
    page.fill("#search-input", "bk1 1aa")
    page.wait_for_function(
        "() => /Your area for BK1 1AA is the first link/.test(document.getElementById('th-announcer').textContent)")
    assert page.get_attribute(".th-postcode-link", "href") == "/your-area?postcode=BK1+1AA"
    assert page.evaluate("() => document.activeElement.id") == "search-input"


def test_search_works_without_javascript(open_page):
    page = open_page("/", javascript=False)
    form = page.locator("form[role=search]").first
    form.locator("input[name=q]").fill("missed bin")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/search?q=missed+bin*")
    assert "Report a missed bin" in page.inner_text("main")
    page.click("summary:has-text('Filter results')")
    page.select_option("#search-kind", "organisation")
    page.click("text=Apply filters")
    page.wait_for_url("**kind=organisation*")
    assert "Report a missed bin" not in page.inner_text("main")


@pytest.mark.parametrize("width", [320, 1280])
def test_search_and_directory_in_every_display_mode(open_page, axe, width):
    from townhall.preferences import COLOUR_SCHEMES, TEXT_SIZES, Preferences

    failures = []
    page = open_page("/", width=width)
    for path in ("/search?q=i+smell+gas", "/directory/not-sure", "/directory/hm-passport-office", "/cy/directory/not-sure",
                 "/cy/search?q=library"):
        page.goto(path)
        for colours in COLOUR_SCHEMES:
            for text in TEXT_SIZES:
                classes = Preferences(text=text, colours=colours).html_classes() + " th-js"
                page.evaluate("(classes) => { document.documentElement.className = classes; }", classes)
                page.evaluate("() => { const d = document.querySelector('details'); if (d) d.open = true; }")
                found = axe(page)
                if found:
                    failures.append((path, colours, text, [(v["id"], [n["target"] for n in v["nodes"][:2]]) for v in found]))
                wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if wide > 0:
                    failures.append((path, colours, text, f"{wide}px wider than the screen"))
    assert failures == []
