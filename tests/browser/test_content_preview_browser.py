"""The preview's problem banner and checks panel, and the content health page, in a real browser: WCAG 2.2 AA
(axe) at 320 px with the largest text and in dark mode, the panel opening and closing without JavaScript."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from townhall import create_app
from townhall.config import PROJECT_ROOT
from townhall.preferences import COOKIE_NAME, Preferences

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def preview_server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("preview") / "content"
    shutil.copytree(PROJECT_ROOT / "content", folder)
    pothole = folder / "services" / "report-a-pothole.md"
    pothole.write_text(pothole.read_text(encoding="utf-8").replace("reviewed: 2026-11-02", "reviewed: 2/11/2026")
                       + "\n[click here](services/report-fly-tipping)\n", encoding="utf-8")
    app = create_app({"TESTING": True, "TOWNHALL_CONTENT": str(folder), "TOWNHALL_ENV": "preview",
                      "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("preview-instance")),
                      "TOWNHALL_CONTENT_POLL_MS": 0, "TOWNHALL_TODAY": "2026-12-03"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def open_preview(browser, base: str, path: str, *, width: int, javascript: bool, preferences: Preferences):
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=javascript,
                                  base_url=base)
    context.add_cookies([{"name": COOKIE_NAME, "value": preferences.cookie_value(), "url": base}])
    page = context.new_page()
    page.goto(path)
    return context, page


@pytest.mark.parametrize("colours", ["standard", "dark"])
@pytest.mark.parametrize("path", ["/services/report-a-pothole", "/content-health", "/"])
def test_preview_parts_pass_axe_at_320px_with_the_largest_text(browser, preview_server, axe, describe_violations,
                                                               path, colours):
    context, page = open_preview(browser, preview_server, path, width=320, javascript=True,
                                 preferences=Preferences(text="larger", colours=colours))
    try:
        violations = axe(page)
        assert not violations, describe_violations(violations)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px"
    finally:
        context.close()


def test_the_checks_panel_opens_and_closes_without_javascript(browser, preview_server):
    context, page = open_preview(browser, preview_server, "/services/report-a-pothole", width=1280, javascript=False,
                                 preferences=Preferences())
    try:
        banner = page.locator(".th-preview-banner")
        assert "problems to fix before it can be published" in banner.inner_text()
        assert "services/report-a-pothole.md, line" in banner.inner_text()
        panel = page.locator("details.th-preview-panel")
        assert panel.get_attribute("open") is None
        panel.locator("summary").click()
        assert panel.get_attribute("open") is not None
        assert "click here" in panel.inner_text()
        panel.locator("summary").click()
        assert panel.get_attribute("open") is None
    finally:
        context.close()
