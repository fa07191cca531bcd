"""Guided answers in a real browser: axe at 320 px, the largest text, a dark scheme, Welsh, the error state
with and without JavaScript, and where focus goes after htmx swaps a step in place."""

from __future__ import annotations

import pytest

from townhall.preferences import Preferences

BADGE = "/ask/guides/can-i-get-a-blue-badge"
PAGES = [
    "/ask/guides",
    BADGE,
    f"{BADGE}?asked=where-you-live",
    f"{BADGE}?where-you-live=yes",
    f"{BADGE}?where-you-live=yes&benefits=none&getting-about=hidden",
    f"{BADGE}?where-you-live=maybe",
    "/ask/guides/which-bin-does-this-go-in?kind=packaging&asked=clean",
    "/cy/ask/guides",
    f"/cy{BADGE}?where-you-live=yes&benefits=none&getting-about=child",
    "/cy/ask/guides/which-bin-does-this-go-in?kind=food",
    "/cy/ask/guides/do-i-need-planning-permission?building=flat",
]
DRAWING_RULES = ["color-contrast", "link-in-text-block", "target-size", "scrollable-region-focusable"]
MODES = [("auto", "standard", "light"), ("dark", "standard", "dark"), ("auto", "larger", "light"),
         ("yellow-on-black", "larger", "dark")]


def too_wide(page) -> list[str]:
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth, wide = [];
            if (document.documentElement.scrollWidth > width + 1) wide.push('document');
            for (const el of document.querySelectorAll('main *')) {
                if (el.closest('.th-visually-hidden')) continue;
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + 1) wide.push(el.tagName + '.' + el.className);
            }
            return wide.slice(0, 5);
        }""")


def focused(page) -> str:
    return page.evaluate("() => { const e = document.activeElement; return e.tagName.toLowerCase() + "
                         "(e.className ? '.' + e.className : '') + ' ' + e.textContent.trim().slice(0, 80); }")


def test_every_step_passes_axe_at_320_px(open_page, axe, describe_violations):
    failures = []
    page = open_page("/ask/guides", width=320)
    for path in PAGES:
        page.goto(path)
        violations = axe(page)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("colours", "text", "device"), MODES)
def test_largest_text_and_dark_schemes_fit_and_contrast(open_page, axe, describe_violations, colours, text, device):
    spacing = "wider" if text == "larger" else "standard"
    failures = []
    page = open_page("/ask/guides", width=320, color_scheme=device,
                     preferences=Preferences(text=text, colours=colours, spacing=spacing))
    for path in PAGES:
        page.goto(path)
        violations = axe(page, rules=DRAWING_RULES)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
        wide = too_wide(page)
        if wide:
            failures.append(f"{path}: wider than the screen: {wide}")
    assert not failures, "\n".join(failures)


def test_without_javascript_the_guide_is_plain_forms_and_links(open_page):
    page = open_page(BADGE, width=320, javascript=False)
    page.get_by_role("button", name="Continue").click()
    assert "asked=where-you-live" in page.url
    assert page.locator(".th-error-summary").is_visible()
    assert page.title().startswith("Error:")
    page.locator(".th-error-summary a").click()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    assert "where-you-live=yes" in page.url
    page.get_by_label("None of these").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Is a child under 3", exact=False).check()
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Your child may get a Blue Badge"
    page.go_back()
    assert page.locator("h1").inner_text().startswith("Which of these best describes")
    page.reload()
    assert page.locator("h1").inner_text().startswith("Which of these best describes")


def test_the_error_summary_takes_focus_on_load(open_page):
    page = open_page(f"{BADGE}?where-you-live=yes&asked=benefits", width=320)
    page.wait_for_function("() => document.activeElement.classList.contains('th-error-summary')")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#benefits-pip-moving"


def test_htmx_swaps_the_step_and_moves_focus_to_the_new_question(open_page):
    page = open_page(BADGE, width=320)
    page.wait_for_function("() => document.documentElement.classList.contains('th-js') && window.htmx")
    page.get_by_label("Yes").check()
    with page.expect_response(lambda response: "where-you-live=yes" in response.url):
        page.get_by_role("button", name="Continue").click()
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H1'")
    assert focused(page).startswith("h1 Which of these applies")
    assert "where-you-live=yes" in page.url  # the address follows, so Back and Reload work
    page.wait_for_function("() => document.getElementById('th-announcer').textContent.includes('Question 2')")
    assert page.title().startswith("Which of these applies")
    # Nothing chosen: the error summary takes focus
    page.get_by_role("button", name="Continue").click()
    page.wait_for_function("() => document.activeElement.classList.contains('th-error-summary')")
    page.get_by_label("Is registered blind", exact=False).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_function("() => document.activeElement.tagName === 'H1'")
    assert focused(page) == "h1 You should get a Blue Badge"
    page.wait_for_function("() => document.getElementById('th-announcer').textContent.includes('Your result')")
    # Change an answer: back to that question, the earlier answer still chosen
    page.get_by_role("link", name="Change your answer to: Which of these applies", exact=False).click()
    page.wait_for_function("() => document.activeElement.tagName === 'H1'")
    assert page.get_by_label("Is registered blind", exact=False).is_checked()
    page.go_back()
    page.wait_for_function("() => (document.querySelector('main h1') || {textContent: ''}).textContent"
                           ".includes('You should get')")


def test_welsh_guide_is_in_welsh_where_written(open_page):
    page = open_page(f"/cy{BADGE}", width=320)
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.locator("main h1").inner_text() == "A allaf gael Bathodyn Glas?"
    assert page.locator("#guide-step").get_by_label("Ydy", exact=True).count() == 1
