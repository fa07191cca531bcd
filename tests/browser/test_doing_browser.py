"""Doing things in a real browser: start-now buttons, a service status, the alert banner (hidden with
and without JavaScript), step-by-step journeys opened from the keyboard, bin answers, and the printable
calendar, each through axe at 320 px with the largest text and in other display modes, in English and
Welsh.

The app runs on a copy of the demo content with alerts and a status added, at a pinned moment, served
on its own port (the session's app has no alerts). Nothing names the demo council: postcodes and
rounds come from what the app loaded.
"""

from __future__ import annotations

import shutil
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from townhall import create_app, engines
from townhall.config import PROJECT_ROOT
from townhall.preferences import COOKIE_NAME, Preferences

if not Path(__file__).with_name("conftest.py").exists():
    pytest.skip("the foundation's browser fixtures are not here", allow_module_level=True)

pytestmark = pytest.mark.browser

NOW = "2026-12-21T09:00"  # Christmas week: bin days move, and the alerts below are running
ALERTS = """
- id: snow
  severity: warning
  title: Snow and ice
  message: Bin collections may be a day late this week. Put your bins out as usual.
  start: 2026-12-20 06:00
  end: 2026-12-23
  link: {label: See which services have changed, url: /alerts}
  cy: {title: Eira a rhew, message: Gall casgliadau biniau fod ddiwrnod yn hwyr yr wythnos hon., link: Gweld pa wasanaethau sydd wedi newid}
- id: water
  severity: emergency
  title: No mains water in part of the district
  message: Bottled water is available at the main library until the supply is back.
  start: 2026-12-21 08:00
  cy: {title: Dim dŵr prif gyflenwad mewn rhan o'r dosbarth, message: Mae dŵr potel ar gael yn y brif lyfrgell.}
"""
STATUS = """status:
  level: suspended
  message: Garden waste collections stop over Christmas. They start again on 4 January.
  cy: Mae casgliadau gwastraff gardd yn dod i ben dros y Nadolig.
  start: 2026-12-14
  end: 2027-01-03
"""
LARGEST = Preferences(text="larger", spacing="wider")
MODES = [Preferences(colours="high-contrast"), Preferences(colours="dark"), Preferences(colours="yellow-on-black")]


@pytest.fixture(scope="module")
def doing_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("doing-browser")
    content = root / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    (content / "alerts.yaml").write_text(textwrap.dedent(ALERTS), encoding="utf-8")
    garden = content / "services" / "garden-waste-collection.md"
    garden.write_text(garden.read_text().replace("reviewed:", STATUS + "reviewed:", 1), encoding="utf-8")
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(root / "instance"),
                      "TOWNHALL_CONTENT": str(content), "TOWNHALL_NOW": NOW})
    assert not engines.site(app).problems
    return app


@pytest.fixture(scope="module")
def server(doing_app) -> Iterator[str]:
    running = make_server("127.0.0.1", 0, doing_app, threaded=True)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{running.server_port}"
    running.shutdown()


@pytest.fixture
def open_doing(browser, server) -> Iterator[Callable[..., object]]:
    """Like open_page, on this module's app."""
    contexts = []

    def opener(path: str, *, width: int = 1280, javascript: bool = True, preferences: Preferences | None = None):
        context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=javascript,
                                      base_url=server)
        contexts.append(context)
        if preferences is not None:
            context.add_cookies([{"name": COOKIE_NAME, "value": preferences.cookie_value(), "url": server}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(path)
        return page

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def pages(doing_app) -> list[str]:
    site = engines.site(doing_app)
    postcode = site.council.example_postcode
    with doing_app.test_request_context():
        answer = engines.places(doing_app).answer(postcode=postcode)
        code = next(m.area.code for m in answer.areas if m.layer.kind == "collection")
    gov_uk = next(slug for slug, s in sorted(site.services.items()) if s.online and s.online[0].by == "gov.uk")
    tool = next(slug for slug, s in sorted(site.services.items()) if s.tool == "bin-collections")
    return [
        "/", f"/services/{gov_uk}", "/services/garden-waste-collection", f"/services/{tool}", "/alerts",
        "/a-to-z", "/step-by-step", "/step-by-step/when-someone-dies", "/step-by-step/moving-home?steps=all",
        "/services/register-a-death", "/search?q=garden+waste",
        f"/bin-collections?postcode={postcode}", "/bin-collections?postcode=not+a+postcode",
        f"/bin-collections/{code}/calendar",
        "/cy/", f"/cy/services/{gov_uk}", "/cy/step-by-step/having-a-baby?steps=all", "/cy/a-to-z",
        f"/cy/bin-collections?postcode={postcode}", f"/cy/bin-collections/{code}/calendar",
    ]


def overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_new_pages_pass_axe_at_320px_with_the_largest_text(open_doing, axe, describe_violations, pages):
    failures = []
    for path in pages:
        page = open_doing(path, width=320, preferences=LARGEST)
        violations = axe(page)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
        if overflow(page) > 1:
            failures.append(f"{path}: {overflow(page)} px wider than the screen")
        page.context.close()
    assert not failures, "\n".join(failures)


def test_new_pages_pass_axe_at_full_width_and_in_every_colour_scheme(open_doing, axe, describe_violations, pages):
    failures = []
    # The site-wide crawl checks every linked page at full width; these are the ones it cannot reach
    # (answers, calendars) or that look different here (the banner, a status).
    for path in pages[:4] + pages[11:15] + pages[18:]:
        page = open_doing(path, width=1280)
        violations = axe(page)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
        page.context.close()
    for preferences in MODES:
        for path in (pages[0], pages[2], pages[7], pages[13]):
            page = open_doing(path, width=320, preferences=preferences)
            violations = axe(page, rules=["color-contrast", "link-in-text-block", "target-size"])
            if violations:
                failures.append(f"{path} ({preferences.colours}):\n{describe_violations(violations)}")
            page.context.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("javascript", [False, True])
def test_an_alert_is_hidden_for_the_visit_and_an_emergency_never(open_doing, javascript):
    page = open_doing("/a-to-z?from=test", javascript=javascript)
    assert page.locator("#alert-snow").is_visible() and page.locator("#alert-water").is_visible()
    assert page.locator("#alert-water form").count() == 0
    page.locator("#alert-snow button").click()
    page.wait_for_load_state()
    assert page.url.endswith("/a-to-z?from=test")  # back where the resident was
    assert page.locator("#alert-snow").count() == 0 and page.locator("#alert-water").is_visible()
    page.goto("/")
    assert page.locator("#alert-snow").count() == 0
    page.goto("/alerts")
    assert "Snow and ice" in page.inner_text("main")


def test_a_step_opens_from_the_keyboard_and_says_so(open_doing):
    page = open_doing("/step-by-step/when-someone-dies")
    summary = page.locator("#step-register-the-death + details summary")
    summary.focus()
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    assert not page.locator("#step-register-the-death + details").evaluate("d => d.open")
    page.keyboard.press("Enter")
    assert page.locator("#step-register-the-death + details").evaluate("d => d.open")
    assert page.locator("#step-register-the-death + details a").first.is_visible()
    role = page.evaluate("""() => {
        const s = document.querySelector('#step-register-the-death + details summary');
        return getComputedStyle(s).display; }""")
    assert role == "list-item"  # the browser's own disclosure marker stays


def test_a_part_of_link_lands_on_its_step_and_a_step_link_opens_it_without_javascript(open_doing):
    page = open_doing("/services/register-a-death", javascript=False)
    page.locator(".th-part-of a").first.click()
    page.wait_for_load_state()
    target = page.url.split("#", 1)[1]
    assert page.locator(f"#{target}").is_visible() and page.locator(f"#{target} + details summary").is_visible()
    page.goto(page.url.split("#")[0] + f"?step={target}#{target}")
    opened = page.locator("details[open]")
    assert opened.count() == 1 and opened.locator("a").first.is_visible()


def test_the_bin_calendar_prints_large_in_black_on_white(open_doing, pages):
    calendar = next(path for path in pages if path.endswith("/calendar") and not path.startswith("/cy"))
    page = open_doing(calendar, preferences=Preferences(colours="yellow-on-black"))
    page.emulate_media(media="print")
    cell = page.locator(".th-bin-calendar__month td").first
    style = cell.evaluate("td => [getComputedStyle(td).color, getComputedStyle(td).backgroundColor, "
                          "parseFloat(getComputedStyle(td).fontSize)]")
    assert style[0] == "rgb(0, 0, 0)" and style[1] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    assert style[2] >= 24  # 18pt and up: large print
    assert not page.locator(".th-nav").is_visible() and not page.locator(".th-alerts").is_visible()
    assert not page.locator(".th-no-print").first.is_visible()
    assert page.locator(".th-bin-calendar__month").count() == 6
