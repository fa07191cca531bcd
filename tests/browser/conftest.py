"""Real-browser fixtures: the app on a local port, Debian's Chromium driven by Playwright, and axe-core.

Playwright never downloads a browser here: it launches /usr/bin/chromium, which
`make test` installs from Debian's packages. axe-core comes from npm.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from townhall.config import PROJECT_ROOT
from townhall.preferences import COOKIE_NAME, Preferences

CHROMIUM = os.environ.get("TOWNHALL_CHROMIUM", "/usr/bin/chromium")
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (run `make test`, which installs it)")
    return CHROMIUM


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The session's app served on a free local port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@dataclass
class OpenedPage:
    """A page plus every request it made, so tests can check nothing left our host."""

    page: object
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser, live_server) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh browser context: width, JavaScript on/off, saved preferences, media features."""
    contexts = []

    def opener(path: str = "/", *, width: int = 1280, height: int = 900, javascript: bool = True,
               preferences: Preferences | None = None, color_scheme: str = "light", reduced_motion: str = "no-preference",
               record: list[str] | None = None):
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript,
            color_scheme=color_scheme, reduced_motion=reduced_motion, base_url=live_server,
        )
        contexts.append(context)
        if preferences is not None:
            context.add_cookies([{"name": COOKIE_NAME, "value": preferences.cookie_value(), "url": live_server}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        if record is not None:
            page.on("request", lambda request: record.append(request.url))
        page.goto(path)
        return page

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` runs `npm ci`, which installs axe-core")
    return AXE.read_text(encoding="utf-8")


def _describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = (node.get("failureSummary") or "").splitlines()
            lines.append(f"    {' '.join(node['target'])}: {summary[-1].strip() if summary else ''}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def describe_violations() -> Callable[[list[dict]], str]:
    """axe's violations as readable lines (rule, impact, help, where), for assertion messages.

    A fixture because test modules cannot import from each other or from conftest.py.
    """
    return _describe_violations


@pytest.fixture(scope="session")
def axe(axe_source) -> Callable[[object], list[dict]]:
    """Run axe-core's WCAG 2.2 A/AA rules on a page and return the violations.

    axe is injected with page.evaluate, which the site's strict Content Security
    Policy does not block (a script tag would be, rightly).
    """

    def run(page, context: str | None = None, rules: list[str] | None = None) -> list[dict]:
        """All WCAG 2.2 A/AA rules, or only `rules` (which must be rules of those levels)."""
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source + "\n;undefined")
            browser_context = page.context
            if not getattr(browser_context, "townhall_axe_preloaded", False):
                # Every later page of this context gets axe as it loads (half the time of sending it each time)
                browser_context.add_init_script(axe_source)
                browser_context.townhall_axe_preloaded = True
        only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG_TAGS}
        return page.evaluate(
            """async ([selector, only]) => {
                const results = await axe.run(selector ? document.querySelector(selector) : document, {
                    runOnly: only, resultTypes: ['violations']});
                return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target, html: n.html, failureSummary: n.failureSummary}))}));
            }""",
            [context, only],
        )

    return run


@pytest.fixture(scope="session")
def same_host(live_server) -> Callable[[str], bool]:
    """Whether a URL a page requested stayed on the live server (data: and blob: URLs never leave the page)."""

    def check(url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(live_server).netloc or url.startswith(("data:", "blob:"))

    return check


@pytest.fixture(scope="session")
def tab_to() -> Callable[..., None]:
    """Press Tab until the element matching a selector has focus, as a keyboard user would."""

    def press_tab_until(page, selector: str, limit: int = 120) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    return press_tab_until
