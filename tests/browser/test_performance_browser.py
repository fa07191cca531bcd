"""How we're doing in a real browser: axe at 320 px with the largest text in English and Welsh, every colour
scheme (the chart drawn in each scheme's own colours), the chart's scroll region by keyboard, and the htmx
"Show" form moving focus to the new results (and the same form working without JavaScript); the survey a
closing email links to, and the staff import page, at 320 px with the largest text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from townhall import engines
from townhall.display import PALETTES
from townhall.performance import store_demo
from townhall.preferences import Preferences

LARGEST = Preferences(text="larger", spacing="wider")
PAGE = "/how-we-are-doing"


@pytest.fixture(scope="module", autouse=True)
def demo_figures(app):
    """The demo's 18 months of figures in the session app's database (real today, as the page uses)."""
    with app.app_context():
        today = datetime.now(UTC).date()
        engines.database().transaction(lambda session: store_demo(session, engines.site().standards, today,
                                                                   datetime.now(UTC)))


def page_overflow(page) -> list[str]:
    """Anything wider than the viewport outside a chart's or a table's own scroll region (the page itself never
    scrolls sideways; a chart or a table of figures may, inside its focusable region: WCAG 1.4.10's
    two-dimensional content)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [];
            if (document.documentElement.scrollWidth > width + 1) wide.push('document ' + document.documentElement.scrollWidth);
            for (const el of document.querySelectorAll('main *')) {
                if (el.closest('.th-visually-hidden') || el.closest('.th-chart') || el.closest('.th-table-scroll')) continue;
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + 1) wide.push(el.tagName.toLowerCase() + ' ' + Math.round(box.right));
            }
            return wide.slice(0, 5);
        }"""
    )


@pytest.mark.parametrize("path", [PAGE, "/cy" + PAGE])
def test_axe_and_reflow_at_320px_with_the_largest_text(open_page, axe, describe_violations, path):
    page = open_page(path, width=320, height=720, preferences=LARGEST)
    violations = axe(page)
    assert not violations, describe_violations(violations)
    assert not page_overflow(page), page_overflow(page)
    assert page.locator("svg.th-chart__svg").count() == 9
    assert page.locator("table.th-performance__table").count() == 10  # and satisfaction


@pytest.mark.parametrize("scheme", [name for name in PALETTES if name != "standard"] + ["auto"])
def test_every_colour_scheme_passes_axe_and_draws_the_chart_in_its_colours(open_page, axe, describe_violations,
                                                                            scheme):
    page = open_page(PAGE + "?standard=phone-answer", preferences=Preferences(colours=scheme),
                     color_scheme="dark" if scheme == "auto" else "light")
    violations = axe(page)
    assert not violations, describe_violations(violations)
    palette = PALETTES["dark" if scheme == "auto" else scheme]
    colours = page.evaluate(
        """() => {
            const css = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
            return {line: css('.th-chart__line', 'stroke'), text: css('.th-chart__svg text', 'fill'),
                    missed: css('.th-chart__point--missed', 'stroke'), target: css('.th-chart__target', 'stroke')};
        }"""
    )

    def rgb(hex_colour: str) -> str:
        red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return f"rgb({red}, {green}, {blue})"

    assert colours == {"line": rgb(palette["link"]), "text": rgb(palette["text"]), "missed": rgb(palette["error"]),
                       "target": rgb(palette["text"])}


def test_the_chart_region_is_reached_by_keyboard_and_names_itself(open_page):
    page = open_page(PAGE + "?standard=written-answer", width=320, height=720, preferences=LARGEST)
    region = page.locator(".th-chart").first
    region.focus()
    assert page.evaluate("() => document.activeElement.classList.contains('th-chart')")
    name = page.evaluate("() => document.getElementById(document.activeElement.getAttribute('aria-labelledby'))"
                         ".textContent")
    assert "letters, emails and forms answered in full within 10 working days" in name.lower()


@pytest.mark.parametrize("javascript", [True, False])
def test_show_one_standard_with_and_without_javascript(open_page, javascript):
    page = open_page(PAGE, javascript=javascript)
    page.select_option("#standard", "voicemail")
    if javascript:
        with page.expect_response(lambda response: "standard=voicemail" in response.url):
            page.click("form.th-filters button")
        page.wait_for_timeout(200)
        assert page.evaluate("() => document.activeElement.hasAttribute('data-focus-here')")
        assert page.locator("h1").count() == 1  # swapped in place, not a page inside the page
    else:
        page.click("form.th-filters button")
        page.wait_for_load_state()
    assert "standard=voicemail" in page.url
    assert page.locator("svg.th-chart__svg").count() == 1
    assert "voicemails replied to within 1 working day" in page.locator("#performance-results").inner_text()


def test_the_survey_and_the_staff_import_pass_axe_at_320px(app, open_page, axe, describe_violations):
    from argon2 import PasswordHasher

    from townhall.cases import close, create_staff, submit
    from townhall.cases.validation import Submission

    moment = datetime.now(UTC)
    with app.app_context():
        database, casework = engines.database(), engines.casework()
        case_id = database.transaction(lambda s: submit(s, casework, Submission(
            kind="enquiry", details="Bins", name="Jo", email="jo@example.com", postcode="BK1 1AA",
            contact_preference="email", service_slug=None, service_title=None), moment).case.id)
        database.transaction(lambda s: close(s, casework, case_id, staff_id=None, outcome="resolved", now=moment))
        from sqlalchemy import select

        from townhall.cases.models import SurveyAnswer
        with database.read_session() as session:
            token = session.scalar(select(SurveyAnswer.token).where(SurveyAnswer.case_id == case_id))
        database.transaction(lambda s: create_staff(s, email="perf@council.example", name="Perf",
                                                    role="customer_service", password="correct horse battery",
                                                    now=moment, hasher=PasswordHasher(time_cost=1, memory_cost=1024,
                                                                                      parallelism=1)))
    for path in (f"/survey/{token}", f"/cy/survey/{token}"):
        page = open_page(path, width=320, height=720, preferences=LARGEST)
        violations = axe(page)
        assert not violations, f"{path}:\n{describe_violations(violations)}"
        assert not page_overflow(page), page_overflow(page)
    page.click("main form button[type=submit]")  # no choice: the error summary takes focus
    page.wait_for_timeout(200)
    assert page.evaluate("() => document.activeElement.classList.contains('th-error-summary')")
    assert not axe(page), describe_violations(axe(page))
    page = open_page("/staff/login", width=320, height=720, preferences=LARGEST)
    page.fill("#email", "perf@council.example")
    page.fill("#password", "correct horse battery")
    page.click("main form button[type=submit]")
    page.goto("/staff/performance/import")
    violations = axe(page)
    assert not violations, describe_violations(violations)
    assert not page_overflow(page), page_overflow(page)
