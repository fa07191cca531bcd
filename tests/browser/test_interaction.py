"""Keyboard-only use, the settings form with and without JavaScript, and no third-party requests."""

from __future__ import annotations

from urllib.parse import urlsplit

from townhall import engines
from townhall.preferences import Preferences


def active(page) -> dict:
    return page.evaluate(
        """() => ({tag: document.activeElement.tagName.toLowerCase(), id: document.activeElement.id,
                   name: document.activeElement.getAttribute('name'), value: document.activeElement.value,
                   text: (document.activeElement.textContent || '').trim().slice(0, 60)})"""
    )


def test_skip_link_is_first_visible_on_focus_and_moves_to_main(open_page):
    page = open_page("/a-to-z")
    page.keyboard.press("Tab")
    focused = active(page)
    assert focused["tag"] == "a" and "Skip to main content" in focused["text"]
    box = page.locator(".th-skip-link").bounding_box()
    assert box and box["y"] >= 0 and box["height"] > 10  # shown on screen when focused
    page.keyboard.press("Enter")
    assert active(page)["id"] == "main-content"
    page.keyboard.press("Tab")
    first_in_main = page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert first_in_main


def test_skip_link_works_without_javascript(open_page):
    page = open_page("/a-to-z", javascript=False)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.url.endswith("#main-content")
    assert active(page)["id"] == "main-content"


def test_settings_form_by_keyboard_with_javascript_applies_at_once(open_page, tab_to):
    page = open_page("/settings")
    tab_to(page, "#text-standard")
    page.keyboard.press("ArrowDown")  # radios: arrow keys choose the next option
    assert active(page)["id"] == "text-large"
    page.wait_for_function("() => document.documentElement.classList.contains('th-text-large')")
    # said under the text size choices, where the reader is (not at the top of the page)
    page.wait_for_function("() => document.querySelector('#text-status').textContent.includes('Large')")
    assert active(page)["id"] == "text-large"  # focus stays where the reader is
    # the colours group, reached by Tab
    page.keyboard.press("Tab")
    assert active(page)["name"] == "colours"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.documentElement.classList.contains('th-colours-high-contrast')")
    # the choice survives a reload: the server applies it from the cookie
    page.reload()
    classes = page.evaluate("() => document.documentElement.className")
    assert "th-text-large" in classes and "th-colours-high-contrast" in classes
    assert page.locator("#text-large").is_checked()


def test_settings_form_without_javascript(open_page):
    page = open_page("/settings?return_to=/a-to-z", javascript=False)
    page.check("#colours-yellow-on-black")
    page.check("#text-larger")
    page.check("#speech-on")
    page.click("button:has-text('Save settings')")
    page.wait_for_url("**/settings?saved=1**")
    assert page.locator("text=Your settings have been saved.").is_visible()
    classes = page.evaluate("() => document.documentElement.className")
    assert "th-colours-yellow-on-black" in classes and "th-text-larger" in classes and "th-speech-on" in classes
    page.click("text=Go back to the page you were on")
    page.wait_for_url("**/a-to-z")
    assert "th-colours-yellow-on-black" in page.evaluate("() => document.documentElement.className")
    page.goto("/settings")
    page.click("button:has-text('Reset settings')")
    page.wait_for_url("**/settings?reset=1**")
    assert "th-colours-auto" in page.evaluate("() => document.documentElement.className")


def test_keyboard_reset_without_javascript(open_page, tab_to):
    page = open_page("/settings", javascript=False, preferences=Preferences(text="larger"))
    tab_to(page, "button.th-button--secondary")
    page.keyboard.press("Enter")
    page.wait_for_url("**/settings?reset=1**")
    assert "th-text-standard" in page.evaluate("() => document.documentElement.className")


def test_no_request_leaves_our_host(open_page, live_server, app):
    service = next(iter(engines.site(app).services))
    requests: list[str] = []
    for path in ("/", f"/services/{service}", "/settings", "/cy/a-to-z", "/search?q=bin"):
        open_page(path, record=requests)
    host = urlsplit(live_server).netloc
    assert requests
    outside = [url for url in requests if urlsplit(url).netloc != host and not url.startswith("data:")]
    assert outside == []


def test_every_page_has_one_main_landmark_and_one_h1(open_page):
    page = open_page("/")
    for path in ("/", "/a-to-z", "/categories", "/settings", "/contact-us", "/cy/"):
        page.goto(path)
        assert page.locator("main").count() == 1
        assert page.locator("h1").count() == 1
        assert page.title().endswith("Brackenford District Council") or "Brackenford" in page.title()


def test_htmx_error_message_is_announced_and_focused(open_page):
    """A 4xx answer to an htmx request is swapped in, announced and focused, not silently dropped."""
    page = open_page("/settings")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate(
        """() => htmx.ajax('GET', '/services/this-does-not-exist', {target: '#preferences-status', swap: 'innerHTML'})"""
    )
    page.wait_for_function("() => document.querySelector('#preferences-status h1') !== null")
    page.wait_for_function("() => document.getElementById('th-announcer').textContent.includes('Page not found')")
    assert page.evaluate("() => document.activeElement.tagName") == "H1"
