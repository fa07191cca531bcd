"""Content changes while the site is serving: a broken edit keeps the last good version (page, Welsh version,
home-page link, search entry), a fix is live in pages and search within seconds, a restart keeps the last
good version, a page that was never good stays out; old addresses answer 301; the content health page."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from townhall import create_app, engines
from townhall.config import PROJECT_ROOT

POTHOLE = "services/report-a-pothole.md"


def wait_for(check: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


class LiveSite:
    """An app served on a free port in a thread, as a resident's browser would reach it."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            error.close()
            return error.code, body

    def search_urls(self, words: str, lang: str = "en") -> list[str]:
        engine = engines.search(self.app)
        return [hit.url for hit in engine.search(words, lang=lang).hits]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("live") / "content"
    shutil.copytree(PROJECT_ROOT / "content", target)
    return target


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("live-instance")


@pytest.fixture(scope="module")
def live(folder, instance) -> Iterator[LiveSite]:
    app = create_app({"TESTING": True, "TOWNHALL_CONTENT": str(folder), "TOWNHALL_INSTANCE": str(instance),
                      "TOWNHALL_CONTENT_POLL_MS": 50})
    site = LiveSite(app)
    yield site
    site.stop()


def edit(folder: Path, relative: str, change: Callable[[str], str]) -> None:
    path = folder / relative
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def reloaded(live: LiveSite, after: int) -> Callable[[], bool]:
    """True once the running site has loaded the content again (requests make it look)."""
    def check() -> bool:
        live.get("/healthz")
        return engines.content_engine(live.app).reloads > after and not engines.content_engine(live.app)._reloading.locked()
    return check


def test_a_broken_edit_keeps_the_last_good_version_serving_everywhere(live, folder, instance):
    status, page = live.get("/services/report-a-pothole")
    assert status == 200 and "<h1>Report a pothole</h1>" in page
    assert live.search_urls("pothole")[0] == "/services/report-a-pothole"
    before = engines.content_engine(live.app).reloads

    # The slip from the issue, with a new word in the same edit that must not reach residents.
    edit(folder, POTHOLE, lambda text: text.replace("reviewed: 2026-11-02", "reviewed: 02/11/2026").replace(
        "Tell us about potholes and damaged roads", "Zebracrossing potholes and damaged roads"))
    wait_for(reloaded(live, before))

    status, page = live.get("/services/report-a-pothole")
    assert status == 200 and "<h1>Report a pothole</h1>" in page and "Zebracrossing" not in page
    assert live.get("/cy/services/report-a-pothole")[0] == 200
    assert 'href="/services/report-a-pothole"' in live.get("/")[1]  # still a popular task on the home page
    assert 'href="/cy/services/report-a-pothole"' in live.get("/cy/")[1]
    assert live.search_urls("pothole")[0] == "/services/report-a-pothole"
    assert live.search_urls("zebracrossing") == []
    health = live.get("/content-health")[1]
    assert "services/report-a-pothole.md" in health and "last good version" in health
    assert "2026-11-02 (for 02/11/2026)" in health
    assert (instance / "content-last-good" / POTHOLE).read_text(encoding="utf-8").count("reviewed: 2026-11-02") == 1


def test_a_restart_keeps_serving_the_last_good_version(live, folder, instance):
    assert "reviewed: 02/11/2026" in (folder / POTHOLE).read_text(encoding="utf-8")  # still broken
    app = create_app({"TESTING": True, "TOWNHALL_CONTENT": str(folder), "TOWNHALL_INSTANCE": str(instance),
                      "TOWNHALL_CONTENT_POLL_MS": 0})
    client = app.test_client()
    assert "<h1>Report a pothole</h1>" in client.get("/services/report-a-pothole").get_data(as_text=True)
    assert engines.site(app).files[POTHOLE].state == "last-good"


def test_a_fix_is_live_in_pages_and_search_within_seconds(live, folder):
    before = engines.content_engine(live.app).reloads
    started = time.monotonic()
    edit(folder, POTHOLE, lambda text: text.replace("reviewed: 02/11/2026", "reviewed: 2026-11-02"))
    wait_for(lambda: "Zebracrossing" in live.get("/services/report-a-pothole")[1])
    wait_for(lambda: live.search_urls("zebracrossing") == ["/services/report-a-pothole"])
    assert time.monotonic() - started < 10
    assert engines.content_engine(live.app).reloads > before
    info = engines.search(live.app).info
    assert info is not None and info.path.name.startswith("gen-")
    record = json.loads((info.path.parent / "CURRENT").read_text(encoding="utf-8"))
    assert "updated_from" in record  # updated in place, not rebuilt
    assert engines.site(live.app).files[POTHOLE].state == "published"


def test_a_new_page_that_was_never_good_stays_out(live, folder):
    before = engines.content_engine(live.app).reloads
    (folder / "services" / "report-a-blocked-drain.md").write_text(
        "---\ntitle: Report a blocked drain\nsummary: Tell us.\ncategory: roads-pavements-and-streets\n"
        "responsible: Highways Team\ncontact: highways\ncharges: free\nstandard:\n  promise: clear it\n"
        "  within: 5 working days\nowner: highways-and-streets\nreviewed: 2026-13-01\n---\nText.\n", encoding="utf-8")
    wait_for(reloaded(live, before))
    assert live.get("/services/report-a-blocked-drain")[0] == 404
    assert live.search_urls("blocked drain") == [] or "/services/report-a-blocked-drain" not in live.search_urls(
        "blocked drain")
    assert engines.site(live.app).files["services/report-a-blocked-drain.md"].state == "left-out"


def test_old_addresses_answer_moved_permanently(live):
    client = live.app.test_client()
    answer = client.get("/services/potholes")
    assert answer.status_code == 301 and answer.headers["Location"] == "/services/report-a-pothole"
    welsh = client.get("/cy/services/potholes?from=email")
    assert welsh.status_code == 301 and welsh.headers["Location"] == "/cy/services/report-a-pothole?from=email"
    assert client.get("/services/not-a-page-and-not-moved").status_code == 404


def test_content_health_is_only_for_this_machine(live):
    client = live.app.test_client()
    assert client.get("/content-health").status_code == 200
    assert client.get("/content-health", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    assert client.get("/content-health", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    assert client.get("/preview/version").status_code == 404  # not a preview
