"""A search-index rebuild, a content reload and a geodata import, each while the real server is under load.

gunicorn is started as `make run` starts it (tests/live_gunicorn.py), on a private copy of the content and
geodata. Eight clients with keep-alive connections request pages, searches and API answers as fast as they
are answered while each change runs, and every answer is checked whole: status 200, a complete page (the
closing ``</html>``, the length the server announced) or JSON that parses, and content that is one of the
two versions (before or after the change), never a mixture or an empty search. Each change must complete
during the load, and be live afterwards.

Why Python clients and not wrk: wrk counts statuses and latencies, but the point here is the body of every
answer (is it complete, is it the old or the new version, are the search results the same ones), which needs
a check per response; wrk's Lua hook could do some of it, at the price of a second language and parsing its
output. The clients here reach a few hundred requests a second on this 2-core machine, with gunicorn's
threads busy throughout.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from townhall.config import PROJECT_ROOT

pytestmark = pytest.mark.slow

CLIENTS = 8
FLASK = Path(sys.executable).with_name("flask")
RESULT_LINKS = re.compile(r'<h3 class="th-result__title"><a href="([^"]+)"')
SEARCHES = ["/search?q=missed+bin", "/search?q=council+tax", "/cy/search?q=llyfrgell", "/search?q=pothole"]
UNCACHED = "&uncached={n}"  # a query the page cache has never seen: answered from the index itself


@dataclass
class Load:
    """CLIENTS threads that GET `paths` in turn until stopped; `check(path, status, headers, body)` says what
    is wrong with an answer (None when it is right). A path with ``{n}`` gets a new number each time, so
    the page cache cannot answer it: those requests reach the search index or geodata every time."""

    server: object
    paths: list[str]
    check: Callable[[str, int, dict, bytes], str | None]
    answered: int = 0
    problems: list[str] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> Load:
        self.threads = [threading.Thread(target=self.client, args=(number,), daemon=True)
                        for number in range(CLIENTS)]
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)
        self.seconds = time.monotonic() - self.started

    def client(self, number: int) -> None:
        connection = self.server.connection(timeout=30)
        try:
            self.requests(number, connection)
        finally:
            connection.close()

    def requests(self, number: int, connection: http.client.HTTPConnection) -> None:
        turn = number
        while not self.stopping.is_set():
            path = self.paths[turn % len(self.paths)]
            turn += 1
            try:
                connection.request("GET", path.format(n=turn))
                response = connection.getresponse()
                body = response.read()
                headers = {name.lower(): value for name, value in response.getheaders()}
                problem = self.check(path, response.status, headers, body)
                if response.will_close:
                    connection.close()  # http.client opens it again on the next request
            except (OSError, http.client.HTTPException) as error:
                problem = f"{type(error).__name__}: {error}"
                connection.close()
            with self.lock:
                self.answered += 1
                if problem:
                    self.problems.append(f"{path}: {problem}")

    def report(self, what: str) -> str:
        summary = f"{what}: {self.answered} answers in {self.seconds:.1f} s ({self.answered / self.seconds:.0f}/s)"
        print(summary)  # -s shows the load each change ran under
        return summary


def whole(status: int, headers: dict, body: bytes) -> str | None:
    """What is wrong with an answer as an answer: not 200, cut short, a page without its end."""
    if status != 200:
        return f"status {status}"
    if "content-length" in headers and int(headers["content-length"]) != len(body):
        return f"{len(body)} bytes of {headers['content-length']}"
    if headers.get("content-type", "").startswith("text/html") and not body.rstrip().endswith(b"</html>"):
        return "a page without its end"
    if "json" in headers.get("content-type", ""):
        try:
            json.loads(body)
        except ValueError:
            return "JSON that does not parse"
    return None


def run_flask(server, *arguments: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(FLASK), "--app", "wsgi", *arguments], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "site"),
                                                       "TOWNHALL_INSTANCE": str(server.instance), **environment})


def server_errors(server) -> list[str]:
    lines = (server.error_text() + server.output_text()).splitlines()
    return [line for line in lines if re.search(r"Traceback|Worker \(pid:\d+\) was sent|exited with code| 5\d\d ",
                                                line)]


@pytest.fixture(scope="module")
def site(start_server, tmp_path_factory):
    """The real server on its own copies of the content and the geodata (the changes below edit them)."""
    folder = tmp_path_factory.mktemp("changing")
    content, geodata = folder / "content", folder / "geodata"
    shutil.copytree(PROJECT_ROOT / "content", content)
    shutil.copytree(PROJECT_ROOT / "geodata", geodata, ignore=shutil.ignore_patterns(".lock", ".building-*"))
    environment = {"TOWNHALL_CONTENT": str(content), "TOWNHALL_GEODATA": str(geodata)}
    server = start_server(**environment)
    server.content, server.geodata, server.environment = content, geodata, environment
    return server


def result_links(body: bytes) -> list[str]:
    return RESULT_LINKS.findall(body.decode("utf-8", "replace"))


def test_a_forced_search_index_rebuild_under_load(site) -> None:
    before = {path: result_links(site.get(path)[2]) for path in SEARCHES}
    assert all(before.values()), before
    generation = (Path(site.instance) / "search-index" / "CURRENT").read_text()

    def check(path, status, headers, body):
        if problem := whole(status, headers, body):
            return problem
        if path in before and result_links(body) != before[path]:
            return "search results changed while the index was rebuilt from the same content"
        return None

    def check_template(path, status, headers, body):
        return check(path.removesuffix(UNCACHED), status, headers, body)

    paths = [*SEARCHES, *(search + UNCACHED for search in SEARCHES), "/", "/services/report-a-missed-bin"]
    with Load(site, paths, check_template) as load:
        time.sleep(1)
        built = run_flask(site, "search", "build", environment=site.environment)
        time.sleep(2)  # answers from the new index too
    assert built.returncode == 0, built.stderr
    load.report("search index rebuilt")
    assert (Path(site.instance) / "search-index" / "CURRENT").read_text() != generation, "no new index was made"
    assert load.answered > 200 and not load.problems, (load.answered, load.problems[:10])
    assert not server_errors(site), server_errors(site)[:10]


def test_a_content_reload_under_load(site) -> None:
    page = "/services/report-a-pothole"
    old, new = b"<h1>Report a pothole</h1>", b"<h1>Report a pothole or a sinkhole</h1>"
    assert old in site.get(page)[2]
    seen: dict[bytes, int] = {old: 0, new: 0}

    def check(path, status, headers, body):
        if problem := whole(status, headers, body):
            return problem
        if path == page:
            versions = [version for version in (old, new) if version in body]
            if len(versions) != 1:
                return "neither the old version of the page nor the new one"
            seen[versions[0]] += 1
        if path.startswith("/search") and not result_links(body):
            return "a search with no results while the content was reloaded"
        return None

    source = site.content / "services" / "report-a-pothole.md"
    paths = [page, "/", "/search?q=pothole", "/search?q=pothole" + UNCACHED, "/services/report-a-missed-bin",
             "/cy" + page, page + "?uncached={n}"]
    with Load(site, paths, lambda path, *answer: check(path.removesuffix("?uncached={n}"), *answer)) as load:
        time.sleep(1)
        source.write_text(source.read_text(encoding="utf-8").replace("title: Report a pothole\n",
                                                                     "title: Report a pothole or a sinkhole\n", 1),
                          encoding="utf-8")
        deadline = time.monotonic() + 30
        while new not in site.get(page)[2] and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)
    assert new in site.get(page)[2], "the edit was not live within 30 s"
    load.report(f"content reloaded (old version {seen[old]} times, new {seen[new]})")
    assert seen[old] and seen[new], seen
    sinkhole = site.get("/search?q=sinkhole")[2]
    assert "/services/report-a-pothole" in result_links(sinkhole), "the search index did not follow the edit"
    assert load.answered > 200 and not load.problems, (load.answered, load.problems[:10])
    assert not server_errors(site), server_errors(site)[:10]


def test_a_geodata_import_under_load(site, tmp_path) -> None:
    layers_before = {layer["name"] for layer in json.loads(site.get("/api/areas")[2])["layers"]}
    postcode = json.loads(site.get("/api/postcodes/BK1%201AA")[2])
    wards = tmp_path / "test-wards.geojson"
    wards.write_bytes(site.get("/api/areas/wards.geojson")[2])
    seen = {"before": 0, "after": 0}

    def check(path, status, headers, body):
        if problem := whole(status, headers, body):
            return problem
        if path == "/api/areas":
            names = {layer["name"] for layer in json.loads(body)["layers"]}
            if names not in (layers_before, layers_before | {"test-wards"}):
                return f"layers neither before nor after the import: {sorted(names)}"
            seen["after" if "test-wards" in names else "before"] += 1
        if path == "/api/postcodes/BK1%201AA":
            answer = json.loads(body)
            if answer["location"] != postcode["location"]:
                return "the postcode moved"
            if [area for area in answer["areas"] if area["layer"] != "test-wards"] != postcode["areas"]:
                return "areas neither before nor after the import"
        return None

    paths = ["/api/areas", "/api/postcodes/BK1%201AA", "/your-area?postcode=BK1+1AA", "/",
             "/api/nearest?category=libraries&postcode=BK1%201AA", "/school-catchment-areas",
             "/api/areas?uncached={n}", "/api/postcodes/BK1%201AA?uncached={n}", "/your-area?postcode=BK1+1AA&n={n}"]
    with Load(site, paths, lambda path, *answer: check(path.removesuffix("?uncached={n}"), *answer)) as load:
        time.sleep(1)
        imported = run_flask(site, "geodata", "import-areas", "test-wards", str(wards), "--kind", "other",
                             "--title", "Test wards", environment=site.environment)
        time.sleep(2)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    load.report(f"geodata imported (layers before {seen['before']} times, after {seen['after']})")
    assert site.get("/api/areas/test-wards.geojson")[0] == 200
    assert seen["before"] and seen["after"], seen
    assert not list(site.geodata.glob(".building-*"))
    assert load.answered > 200 and not load.problems, (load.answered, load.problems[:10])
    assert not server_errors(site), server_errors(site)[:10]



def test_the_answer_check_finds_a_half_written_answer() -> None:
    page = b"<!doctype html><html><body><h1>Report a pothole</h1></body></html>\n"
    html = {"content-type": "text/html; charset=utf-8"}
    assert whole(200, {**html, "content-length": str(len(page))}, page) is None
    assert whole(200, html, page[:40]) == "a page without its end"
    assert whole(200, {**html, "content-length": str(len(page) + 10)}, page)
    assert whole(503, html, page) == "status 503"
    assert whole(200, {"content-type": "application/json"}, b'{"layers": [') == "JSON that does not parse"
