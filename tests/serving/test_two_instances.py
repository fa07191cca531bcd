"""Several machines, on loopback: two app instances behind nginx, sharing one PostgreSQL and one Redis.

Each service comes from its Debian package and runs in a throwaway folder (PostgreSQL from
tests/services.py, Redis with nothing saved, nginx from deploy/nginx.conf rendered by
deploy/render-nginx with both instances as upstreams), and is stopped afterwards. Without a
package the test skips and says which.

What it shows (DEPLOYMENT.md, "Several machines"):

* a case sent through instance A is in instance B's staff queue, and the member of staff logged
  in on A is logged in on B (the session is a cookie signed with the shared secret key);
* a limit reached on A applies on B (failed logins, counted in Redis);
* killing A (SIGKILL) while a resident's browser keeps asking for pages through nginx costs that
  resident nothing: every GET is answered 200 (nginx retries it on B).
"""

from __future__ import annotations

import html as htmllib
import http.client
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
PUBLIC_FIELD = re.compile(r'id="page-feedback".*?name="csrf_token" value="([^"]+)"', re.S)
QUESTION_FORM_FIELDS = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
REFERENCE = re.compile(r'id="reference">(BK-[0-9A-Z]{4}-[0-9A-Z]{4})<')
STAFF_EMAIL, STAFF_PASSWORD = "caseworker@council.example", "a long enough test password"
LOGIN_LIMIT = 3


def live_gunicorn():
    """tests/live_gunicorn.py, loaded once under the name tests/serving/conftest.py gives it."""
    name = "townhall_live_gunicorn"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "live_gunicorn.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


class Browser:
    """Just enough of a browser for forms: its cookies, one request at a time, redirects not followed."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, address: tuple[str, int], method: str, path: str, form: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection(*address, timeout=30)
        sent = {"Host": "localhost", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, _, rest = value.partition("=")
                    self.cookies[cookie_name.strip()] = rest.split(";", 1)[0]
            return (response.status, {k.lower(): v for k, v in response.getheaders()},
                    response.read().decode("utf-8", "replace"))
        finally:
            connection.close()


def token_in(page: str) -> str:
    """The session's CSRF token: the meta tag once a session exists, else the form's own field (not the
    day's public token the page-feedback form carries)."""
    meta = CSRF_META.search(page)
    if meta:
        return meta.group(1)
    public = PUBLIC_FIELD.search(page)
    return next(value for value in CSRF_FIELD.findall(page) if not public or value != public.group(1))


def carried(page: str) -> dict[str, str]:
    """The hidden fields of the page's question form (not the page-feedback form)."""
    start = page.index('class="th-question-form"')
    form = page[start:page.index("</form>", start)]
    return {name: htmllib.unescape(value) for name, value in QUESTION_FORM_FIELDS.findall(form)
            if name != "csrf_token"}


# -- the services ---------------------------------------------------------------------------------

def start_nginx(folder: Path, upstreams: list[str]) -> tuple[subprocess.Popen, int]:
    """deploy/nginx.conf, filled in by deploy/render-nginx, in the foreground in `folder`."""
    services = sys.modules["townhall_test_services"]
    port = services.free_port()
    (folder / "cache").mkdir(parents=True, exist_ok=True)
    rendered = subprocess.run([sys.executable, str(ROOT / "deploy" / "render-nginx"), str(folder),
                               f"127.0.0.1:{port}", "localhost", *upstreams],
                              capture_output=True, text=True, check=True).stdout
    # As root, nginx's workers would become `nobody` and could not write the throwaway folder.
    rendered = rendered.replace("events {", ("user root;\n" if os.geteuid() == 0 else "") + "daemon off;\nevents {", 1)
    (folder / "nginx.conf").write_text(rendered, encoding="utf-8")
    process = subprocess.Popen(["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf")],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("nginx did not start: " + (folder / "error.log").read_text(errors="replace")[-2000:])
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz", headers={"Host": "localhost"})
            if connection.getresponse().status == 200:
                connection.close()
                return process, port
            connection.close()
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    pytest.fail("nginx did not answer within 30 s")


class Site:
    def __init__(self, a, b, front_port: int, database_url: str) -> None:
        self.a, self.b = a, b
        self.front = ("127.0.0.1", front_port)
        self.database_url = database_url

    def case_references(self) -> list[str]:
        from sqlalchemy import select

        from townhall.cases.db import Database
        from townhall.cases.models import Case

        database = Database(self.database_url)
        try:
            with database.read_session() as session:
                return list(session.scalars(select(Case.reference)))
        finally:
            database.dispose()

    @staticmethod
    def address(server) -> tuple[str, int]:
        return server.host, server.port


@pytest.fixture(scope="module")
def site(postgres_server, redis_server, tmp_path_factory) -> Iterator[Site]:
    services = sys.modules["townhall_test_services"]
    if shutil.which("nginx") is None:
        services._missing("nginx is not installed: apt-get install nginx")  # skips; fails under CI=true
    from townhall.cases import create_staff
    from townhall.cases.db import Database

    url = postgres_server.url(postgres_server.create_database())
    database = Database(url)
    database.upgrade()  # once, before either instance starts (each would otherwise race to migrate)
    database.transaction(lambda session: create_staff(session, email=STAFF_EMAIL, name="Casey Worker",
                                                      role="customer_service", password=STAFF_PASSWORD,
                                                      now=datetime.now(UTC)))
    database.dispose()
    redis_server.flush()
    environment = {
        "TOWNHALL_DATABASE_URL": url,
        "TOWNHALL_REDIS_URL": redis_server.url,
        "TOWNHALL_SECRET_KEY": "the same long secret key on every machine",
        "TOWNHALL_PROXY_COUNT": "1",
        "TOWNHALL_LOGIN_RATE_LIMIT": str(LOGIN_LIMIT),
        "TOWNHALL_SUBMISSION_RATE_LIMIT": "0",  # every form here comes from 127.0.0.1
        "TOWNHALL_OUTBOX_INTERVAL": "0",
        "WEB_CONCURRENCY": "1",  # two instances on a small machine: one process each is plenty
    }
    gunicorn = live_gunicorn().GunicornServer
    a = gunicorn(tmp_path_factory.mktemp("machine-a"), environment=environment)
    b = gunicorn(tmp_path_factory.mktemp("machine-b"), environment=environment)
    folder = Path(tempfile.mkdtemp(prefix="townhall-nginx-"))
    nginx = None
    try:
        a.start()
        b.start()
        nginx, port = start_nginx(folder, [f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"])
        yield Site(a, b, port, url)
    finally:
        if nginx is not None:
            services.stop_process(nginx)
        a.stop()
        b.stop()
        shutil.rmtree(folder, ignore_errors=True)
        postgres_server.drop_database(urllib.parse.urlsplit(url).path.lstrip("/"))


# -- the checks -----------------------------------------------------------------------------------

def send_enquiry(browser: Browser, first: tuple[str, int], second: tuple[str, int]) -> str:
    """Contact us, every step, each step on the other machine than the last; the reference on the confirmation.

    The form's token and its answers so far travel in the page and the signed cookie, never in a machine.
    """
    status, _, page = browser.request(first, "GET", "/contact")
    assert status == 200
    token = token_in(page)
    status, _, page = browser.request(second, "POST", "/contact", {
        "csrf_token": token, "step": "about", "details": "My bin was not collected on Tuesday.",
        "service": "report-a-missed-bin"})
    assert status == 200, page[-2000:]
    status, _, page = browser.request(first, "POST", "/contact", {
        "csrf_token": token, **carried(page), "step": "you", "name": "Jo Bloggs", "contact_preference": "email",
        "email": "jo@example.com", "postcode": "BK1 1AA"})
    assert status == 200 and "Check your answers" in page
    status, headers, page = browser.request(second, "POST", "/contact", {"csrf_token": token, **carried(page),
                                                                         "go": "send"})
    assert status == 303, page[-2000:]
    status, _, page = browser.request(first, "GET", urllib.parse.urlsplit(headers["location"]).path)
    assert status == 200
    return REFERENCE.search(page).group(1)


def log_in(browser: Browser, machine: tuple[str, int], password: str) -> int:
    status, _, page = browser.request(machine, "GET", "/staff/login")
    assert status == 200
    status, _, _ = browser.request(machine, "POST", "/staff/login", {
        "csrf_token": token_in(page), "email": STAFF_EMAIL, "password": password})
    return status


def test_a_case_sent_through_both_machines_is_in_the_staff_queue_of_either(site: Site) -> None:
    reference = send_enquiry(Browser(), site.address(site.a), site.address(site.b))
    staff = Browser()
    assert log_in(staff, site.address(site.a), STAFF_PASSWORD) == 303
    # The session cookie made on A is good on B (signed with the shared key; nothing kept on A).
    for machine in (site.b, site.a):
        status, _, queue = staff.request(site.address(machine), "GET", "/staff/queue")
        assert status == 200 and reference in queue


def test_a_limit_reached_on_one_machine_applies_on_the_other(site: Site) -> None:
    attacker = Browser()
    for _ in range(LOGIN_LIMIT):
        assert log_in(attacker, site.address(site.a), "not the password") == 400
    status, _, page = attacker.request(site.address(site.b), "GET", "/staff/login")
    status, _, page = attacker.request(site.address(site.b), "POST", "/staff/login", {
        "csrf_token": token_in(page), "email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    assert status == 429 and "too many failed attempts" in page


def test_both_machines_answer_through_nginx(site: Site) -> None:
    before = (site.a.access_text().count("\n"), site.b.access_text().count("\n"))
    for number in range(20):  # a different address each time: never from nginx's micro-cache
        status, _, _ = Browser().request(site.front, "GET", f"/?n={number}")
        assert status == 200
    after = (site.a.access_text().count("\n"), site.b.access_text().count("\n"))
    assert after[0] > before[0] and after[1] > before[1]


def test_killing_one_machine_mid_load_costs_residents_nothing(site: Site) -> None:
    """Residents keep reading pages and sending forms through nginx while A dies.

    Every GET is answered 200 (nginx retries it on B). Every form is answered too: nginx may resend a
    form A took but never answered (`non_idempotent` in deploy/nginx.conf), and its submission key makes
    the resent form the same case, so each confirmation is exactly one case.
    """
    answers: list[int | str] = []
    sent: list[str] = []
    failed_forms: list[str] = []
    stop = threading.Event()

    def browse() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            try:  # a new address each time: past the micro-cache, to an instance every time
                status, _, _ = Browser().request(site.front, "GET", f"/?load={number}")
                answers.append(status)
            except http.client.IncompleteRead:
                # The answer's headers had left the killed machine, its body had not: nginx has already passed
                # the headers on, so no front can retry it. Only a request in flight at the kill can end so.
                answers.append("cut off")
            except (OSError, http.client.HTTPException) as error:
                answers.append(type(error).__name__)

    def write() -> None:
        while not stop.is_set():
            try:
                sent.append(send_enquiry(Browser(), site.front, site.front))
            except (AssertionError, AttributeError, ValueError, OSError) as error:
                failed_forms.append(f"{type(error).__name__}: {str(error)[:200]}")

    before = set(site.case_references())
    residents = [threading.Thread(target=browse) for _ in range(3)] + [threading.Thread(target=write)]
    for resident in residents:
        resident.start()
    time.sleep(1.5)
    during = len(answers)
    os.killpg(site.a.process.pid, signal.SIGKILL)  # the machine goes, mid-request
    site.a.process.wait(timeout=10)
    time.sleep(3)
    stop.set()
    for resident in residents:
        resident.join(timeout=60)
    assert during > 0 and len(answers) > during, "the load never ran"
    assert [answer for answer in answers if answer not in (200, "cut off")] == []  # no error page, ever
    assert answers.count("cut off") <= 3  # at most the three residents' requests in flight at the kill
    assert failed_forms == [] and sent
    made = set(site.case_references()) - before
    assert sorted(made) == sorted(sent)  # every confirmation one case, and no case without one
